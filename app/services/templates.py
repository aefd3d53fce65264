"""Templates the user writes (the thank-you note, outreach messages), rendered in Jinja2's
sandbox so that no template can reach into Python.

A field with no value is left out of the values, so `{{ first_name | default("there") }}` and
`{% if organization %}` work as a user expects; a field printed blank is reported as missing,
and a name that is not a field at all is reported as unknown before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Jinja2 takes 25 ms to import: loaded at the first template, not start-up
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

# The fields printed blank by the render running in this thread (None: not tracking).
_printed: ContextVar[list[str] | None] = ContextVar("printed_blank", default=None)


@dataclass(frozen=True)
class _Jinja:
    blank: Any  # an Undefined that renders as nothing, `default()` still applying
    env: SandboxedEnvironment  # the same, noting the top-level fields printed blank
    error: type[Exception]  # jinja2.TemplateError
    meta: Any


@lru_cache(maxsize=1)
def _jinja() -> _Jinja:
    from jinja2 import TemplateError, Undefined, meta
    from jinja2.sandbox import SandboxedEnvironment
    from jinja2.utils import missing

    class Blank(Undefined):
        def __str__(self) -> str:
            return ""

    class Tracking(Blank):
        def __str__(self) -> str:
            found = _printed.get()
            name = self._undefined_name
            # Only a top-level name is a field; `x.attr` left undefined is not one.
            if found is not None and self._undefined_obj is missing and name and name not in found:
                found.append(name)
            return ""

    env = SandboxedEnvironment(undefined=Tracking, keep_trailing_newline=True, autoescape=False)
    return _Jinja(Blank, env, TemplateError, meta)


def environment() -> SandboxedEnvironment:
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        undefined=_jinja().blank, keep_trailing_newline=True, autoescape=False
    )


@lru_cache(maxsize=128)
def _compiled(source: str) -> Template:
    """Parsed once: a campaign renders the same template for hundreds of people."""
    return _jinja().env.from_string(source)


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]  # fields printed blank, in the order met


def fields_used(source: str) -> set[str]:
    """The names a template reads. Raises ValueError when it does not parse."""
    j = _jinja()
    try:
        return set(j.meta.find_undeclared_variables(j.env.parse(source)))
    except j.error as exc:
        raise ValueError(_explain(exc)) from exc


def unknown_fields(source: str, known: Iterable[str]) -> list[str]:
    return sorted(fields_used(source) - set(known))


def check(source: str) -> None:
    """Raise ValueError, in words for the user, when *source* does not parse."""
    fields_used(source)


def render(source: str, values: Mapping[str, object]) -> Rendered:
    """Render *source* with *values* (empty values count as missing). Raises ValueError, in
    words for the user, when the template is broken or reaches for what it may not."""
    present = {k: v for k, v in values.items() if v not in ("", None)}
    error = _jinja().error
    token = _printed.set([])
    try:
        text = _compiled(source).render(present)
        return Rendered(text, tuple(_printed.get() or ()))
    except error as exc:
        raise ValueError(_explain(exc)) from exc
    finally:
        _printed.reset(token)


def _explain(exc: Exception) -> str:
    line = getattr(exc, "lineno", None)
    where = f" (line {line})" if line else ""
    return f"The template has a mistake{where}: {getattr(exc, 'message', None) or exc}"
