"""Templates the user writes (the thank-you note, outreach messages), rendered in Jinja2's
sandbox so that no template can reach into Python.

A field with no value is left out of the values, so `{{ first_name | default("there") }}` and
`{% if organization %}` work as a user expects; a field printed blank is reported as missing,
and a name that is not a field at all is reported as unknown before anything is sent.

A template stands alone (no include, extends or import: there is nothing to load) and is
rendered against a deadline: every block it enters checks the clock, and the sandbox refuses
huge ranges, repeats and powers, so no template can hang a send.
"""

from __future__ import annotations

import time
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
# When the render running in this thread must stop (time.monotonic(); None: no limit).
_deadline: ContextVar[float | None] = ContextVar("render_deadline", default=None)
RENDER_SECONDS = 2.0  # a message renders in well under a millisecond
MAX_SIZE = 100_000  # the longest text or list a template may make by repeating (as range)
TOO_SLOW = "it takes too long to write (a loop that never ends?)"
STANDS_ALONE = (
    "a template here stands alone: write the text into it rather than using "
    "{% include %}, {% extends %} or {% import %}."
)


@dataclass(frozen=True)
class _Jinja:
    blank: Any  # an Undefined that renders as nothing, `default()` still applying
    env: SandboxedEnvironment  # the same, noting the top-level fields printed blank
    error: type[Exception]  # jinja2.TemplateError
    meta: Any


@lru_cache(maxsize=1)
def _jinja() -> _Jinja:
    from jinja2 import TemplateError, TemplateRuntimeError, Undefined, meta
    from jinja2.compiler import CodeGenerator
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

    class Ticking(CodeGenerator):
        """Every block the template enters (a loop's body each time round) checks the clock."""

        def blockvisit(self, nodes: Any, frame: Any) -> None:
            self.writeline("environment.tick()")
            super().blockvisit(nodes, frame)

    class Sandbox(SandboxedEnvironment):
        code_generator_class = Ticking
        intercepted_binops = frozenset(("*", "**"))

        def tick(self) -> None:
            deadline = _deadline.get()
            if deadline is not None and time.monotonic() > deadline:
                raise TemplateRuntimeError(TOO_SLOW)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            if operator == "**" and _too_big_power(left, right):
                raise TemplateRuntimeError("a power that large is not allowed.")
            if operator == "*" and _too_long_repeat(left, right):
                raise TemplateRuntimeError(f"a text or list over {MAX_SIZE:,} long is not allowed.")
            return super().call_binop(context, operator, left, right)

    env = Sandbox(undefined=Tracking, keep_trailing_newline=True, autoescape=False)
    return _Jinja(Blank, env, TemplateError, meta)


def _too_big_power(base: object, exponent: object) -> bool:
    if not (isinstance(base, int) and isinstance(exponent, int)):
        return False
    return exponent > 0 and abs(base) > 1 and exponent * abs(base).bit_length() > 4096


def _too_long_repeat(left: object, right: object) -> bool:
    for seq, n in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(n, int) and len(seq) * n > MAX_SIZE:
            return True
    return False


def environment() -> SandboxedEnvironment:
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(
        undefined=_jinja().blank, keep_trailing_newline=True, autoescape=False
    )


@lru_cache(maxsize=128)
def _compiled(source: str) -> Template:
    """Parsed once: a campaign renders the same template for hundreds of people. Raises
    ValueError as fields_used does (a template saved before it was refused is refused here)."""
    fields_used(source)
    return _jinja().env.from_string(source)


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: tuple[str, ...]  # fields printed blank, in the order met


def fields_used(source: str) -> set[str]:
    """The names a template reads. Raises ValueError when it does not parse."""
    from jinja2 import nodes

    j = _jinja()
    try:
        tree = j.env.parse(source)
    except j.error as exc:
        raise ValueError(_explain(exc)) from exc
    found = next(
        tree.find_all((nodes.Include, nodes.Extends, nodes.Import, nodes.FromImport)), None
    )
    if found is not None:
        raise ValueError(_explain(found, STANDS_ALONE))
    return set(j.meta.find_undeclared_variables(tree))


def unknown_fields(source: str, known: Iterable[str]) -> list[str]:
    return sorted(fields_used(source) - set(known))


def check(source: str) -> None:
    """Raise ValueError, in words for the user, when *source* does not parse."""
    fields_used(source)


def render(source: str, values: Mapping[str, object]) -> Rendered:
    """Render *source* with *values* (empty values count as missing). Raises ValueError, in
    words for the user, when the template is broken or reaches for what it may not."""
    present = {k: v for k, v in values.items() if v not in ("", None)}
    template = _compiled(source)
    token = _printed.set([])
    limit = _deadline.set(time.monotonic() + RENDER_SECONDS)
    try:
        text = template.render(present)
        return Rendered(text, tuple(_printed.get() or ()))
    except Exception as exc:  # the template's own doing: 1/0, range(10**9), "a" + 1, too slow
        raise ValueError(_explain(exc)) from exc
    finally:
        _deadline.reset(limit)
        _printed.reset(token)


def _explain(exc: object, text: str = "") -> str:
    line = getattr(exc, "lineno", None)
    where = f" (line {line})" if line else ""
    return f"The template has a mistake{where}: {text or getattr(exc, 'message', None) or exc}"
