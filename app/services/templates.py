"""Templates the user writes (the thank-you note, outreach messages), rendered in Jinja2's
sandbox so that no template can reach into Python.

A field with no value is left out of the values, so `{{ first_name | default("there") }}` and
`{% if organization %}` work as a user expects; a field printed blank is reported as missing,
and a name that is not a field at all is reported as unknown before anything is sent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from jinja2 import TemplateError, Undefined, meta
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing as _MISSING


class _Blank(Undefined):
    """A missing field renders as nothing, and `default()` still applies."""

    def __str__(self) -> str:
        return ""


def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(undefined=_Blank, keep_trailing_newline=True, autoescape=False)


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]  # fields printed blank, in the order met


def fields_used(source: str) -> set[str]:
    """The names a template reads. Raises ValueError when it does not parse."""
    env = environment()
    try:
        return set(meta.find_undeclared_variables(env.parse(source)))
    except TemplateError as exc:
        raise ValueError(_explain(exc)) from exc


def unknown_fields(source: str, known: Iterable[str]) -> list[str]:
    return sorted(fields_used(source) - set(known))


def check(source: str) -> None:
    """Raise ValueError, in words for the user, when *source* does not parse."""
    fields_used(source)


def render(source: str, values: Mapping[str, object]) -> Rendered:
    """Render *source* with *values* (empty values count as missing). Raises ValueError, in
    words for the user, when the template is broken or reaches for what it may not."""
    printed_blank: list[str] = []

    class Tracking(_Blank):
        def __str__(self) -> str:
            name = self._undefined_name
            if self._undefined_obj is _MISSING and name and name not in printed_blank:
                printed_blank.append(name)
            return ""

    env = environment()
    env.undefined = Tracking
    present = {k: v for k, v in values.items() if v not in ("", None)}
    try:
        text = env.from_string(source).render(present)
    except TemplateError as exc:
        raise ValueError(_explain(exc)) from exc
    return Rendered(text, tuple(printed_blank))


def _explain(exc: TemplateError) -> str:
    line = getattr(exc, "lineno", None)
    where = f" (line {line})" if line else ""
    return f"The template has a mistake{where}: {exc.message or exc}"
