"""Templates the user writes (the thank-you note, outreach messages), rendered in Jinja2's
sandbox so that no template can reach into Python.

A field with no value is left out of the values, so `{{ first_name | default("there") }}` and
`{% if organization %}` work as a user expects; a field printed blank is reported as missing,
and a name that is not a field at all is reported as unknown before anything is sent.

A template stands alone (no include, extends or import: there is nothing to load) and is
rendered against a deadline: every block it enters, every filter, call, operator and piece
of output checks the clock, and a render still running after WATCH_AFTER has a profile hook
check it at every call (a built-in's in C too) until it ends. Nothing it makes in one step
may be longer than MAX_SIZE (repeats, joins, paddings, format widths, `+`, `~`, `%`,
filters), nor the text it writes, and it cannot change a list or dict in place; so no
template can hang a send or fill memory.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Jinja2 takes 25 ms to import: loaded at the first template, not start-up
    from jinja2 import Template
    from jinja2.sandbox import SandboxedEnvironment

# The fields printed blank by the render running in this thread (None: not tracking).
_printed: ContextVar[list[str] | None] = ContextVar("printed_blank", default=None)
# When the render running in this thread must stop (time.monotonic(); None: no limit).
_deadline: ContextVar[float | None] = ContextVar("render_deadline", default=None)
RENDER_SECONDS = 2.0  # a message renders in well under a millisecond
# The profile hook costs 15 times a message's render: only a render running this long has it.
WATCH_AFTER = 0.02
MAX_SIZE = 100_000  # the longest text or list a template may make in a step, and write
TOO_SLOW = "it takes too long to write (a loop that never ends?)"
TOO_LONG = f"it makes a text or list over {MAX_SIZE:,} long, which is not allowed."
# Filters and text methods whose whole-number arguments multiply what they make.
_WIDTHS = frozenset(("center", "ljust", "rjust", "zfill", "expandtabs", "indent", "batch", "slice"))
# A %-conversion's width and precision (`%-10.3f`, `%*d`).
_PERCENT = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
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
    from jinja2.sandbox import ImmutableSandboxedEnvironment
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

        def visit_Concat(self, node: Any, frame: Any) -> None:
            """`a ~ b` joins through the size check (autoescape is off)."""
            self.write("environment.joined((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class Sandbox(ImmutableSandboxedEnvironment):
        """No list or dict changed in place (a loop of appends could build anything), and
        every operator, call and filter that can make something long is size-checked."""

        code_generator_class = Ticking
        intercepted_binops = frozenset(("*", "**", "+", "%"))

        def tick(self) -> None:
            _tick()

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            _tick()
            if operator == "**" and _too_big_power(left, right):
                raise TemplateRuntimeError("a power that large is not allowed.")
            if operator == "*" and _too_long_repeat(left, right):
                raise TemplateRuntimeError(TOO_LONG)
            if operator == "+" and _size(left) + _size(right) > MAX_SIZE:
                raise TemplateRuntimeError(TOO_LONG)
            if operator == "%" and isinstance(left, str):
                _check_percent(left, right)
            return super().call_binop(context, operator, left, right)

        def joined(self, parts: tuple[Any, ...]) -> str:
            _tick()
            texts = [_checked(str(part)) for part in parts]
            if sum(map(len, texts)) > MAX_SIZE:
                _too_long()
            return "".join(texts)

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
            _tick()
            args = tuple(_read(arg) for arg in args)
            method = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped
            owner = getattr(method, "__self__", None)
            name = getattr(method, "__name__", "")
            if isinstance(owner, str) and name in ("format", "format_map"):
                _check_format(owner, args, kwargs if name == "format" else args[0])
            elif isinstance(owner, str | list | tuple | dict):
                _check_step(owner, name, args, kwargs)
            return _checked(super().call(__context, __obj, *args, **kwargs))

    def finalize(value: Any) -> Any:
        _tick()
        if _size(value) > MAX_SIZE:
            _too_long()
        return value

    env = Sandbox(
        undefined=Tracking, keep_trailing_newline=True, autoescape=False, finalize=finalize
    )
    env.filters.update({name: _size_checked(name, f) for name, f in env.filters.items()})
    env.filters["sum"] = _size_checked("sum", _sum_numbers)
    env.globals.pop("lipsum", None)  # lipsum(10**9): nothing a message needs
    return _Jinja(Blank, env, TemplateError, meta)


def _too_long() -> Any:
    from jinja2 import TemplateRuntimeError

    raise TemplateRuntimeError(TOO_LONG)


def _size(value: object, budget: int = MAX_SIZE + 1) -> int:
    """How long *value* prints, roughly: a text's length, a list's items and their own
    sizes, counted up to *budget* (just past MAX_SIZE) so a check never walks far."""
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, dict):
        value = [*value.keys(), *value.values()]
    if not isinstance(value, list | tuple | set | frozenset):
        return 1
    total = len(value)
    for item in value:
        if total >= budget:
            break
        if isinstance(item, str | bytes | list | tuple | dict | set | frozenset):
            total += _size(item, budget - total)
    return total


def _checked(value: Any) -> Any:
    if isinstance(value, str | list | tuple | dict) and _size(value) > MAX_SIZE:
        _too_long()
    return value


def _check_step(value: object, name: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse a filter or method that would make more than MAX_SIZE from *value*: each
    text it takes (a separator, a replacement) may repeat once per item of *value*, and a
    width (center, indent, batch) multiplies it."""
    base = _size(value)
    factor = 0
    for arg in (*args, *kwargs.values()):
        if isinstance(arg, bool):
            continue
        if isinstance(arg, int) and name in _WIDTHS:
            factor = max(factor, arg)
        elif isinstance(arg, str | list | tuple | dict | set):
            factor = max(factor, _size(arg))
    if base > MAX_SIZE or (base + 1) * (1 + factor) > MAX_SIZE:
        _too_long()


def _check_percent(text: str, values: object) -> None:
    widths = []
    for spec in _PERCENT.finditer(text):
        for part in spec.groups():
            if part == "*":  # the width is one of the values: each must fit
                widths += [v for v in _as_tuple(values) if isinstance(v, int)]
            elif part:
                widths.append(int(part))
    if len(text) + sum(widths) + _size(values) > MAX_SIZE:
        _too_long()


def _as_tuple(values: object) -> tuple[Any, ...]:
    return values if isinstance(values, tuple) else (values,)


def _check_format(text: str, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """str.format: no width past MAX_SIZE, no width taken from a value, and a value may be
    named more than once, so each field counts the values in full."""
    from string import Formatter

    fields = 0
    widths = 0
    for _literal, field, spec, _conv in Formatter().parse(text):
        if field is None:
            continue
        fields += 1
        if spec and "{" in spec:
            _too_long()  # `{:>{w}}`: the width comes from a value
        widths += sum(int(n) for n in re.findall(r"\d+", spec or ""))
    if len(text) + widths + fields * (_size(args) + _size(dict(kwargs))) > MAX_SIZE:
        _too_long()


def _size_checked(name: str, f: Callable[..., Any]) -> Callable[..., Any]:
    """Filter *f*, refusing what would make more than MAX_SIZE (see _check_step). A lazy
    input (map, select) is read first, at most MAX_SIZE items of it."""

    @wraps(f)  # keeps jinja_pass_arg: the context or environment still comes first
    def checked(*args: Any, **kwargs: Any) -> Any:
        _tick()
        passed = 1 if hasattr(f, "jinja_pass_arg") else 0
        head, (value, *rest) = args[:passed], args[passed:]
        value = _read(value)
        if name == "format" and isinstance(value, str):  # `"%05d"|format(n)` is `%`
            _check_percent(value, tuple(rest) or dict(kwargs))
        else:
            _check_step(value, name, tuple(rest), kwargs)
        result = f(*head, value, *rest, **kwargs)
        return _checked(result)

    return checked


def _read(value: Any) -> Any:
    """A lazy input (map, select) as a list, refused once what it yields passes MAX_SIZE."""
    if not isinstance(value, Iterator):
        return value
    items = []
    total = 0
    for item in value:
        _tick()
        total += 1 + _size(item)
        if total > MAX_SIZE:
            _too_long()
        items.append(item)
    return items


def _sum_numbers(values: Iterable[Any], attribute: Any = None, start: Any = 0) -> Any:
    """`sum` adds numbers (adding lists one by one takes a time that grows as the square)."""
    from jinja2 import TemplateRuntimeError
    from jinja2.filters import do_sum

    if not isinstance(start, int | float):
        raise TemplateRuntimeError("sum adds numbers only.")
    return do_sum(_jinja().env, values, attribute, start)


def _too_big_power(base: object, exponent: object) -> bool:
    if not (isinstance(base, int) and isinstance(exponent, int)):
        return False
    return exponent > 0 and abs(base) > 1 and exponent * abs(base).bit_length() > 4096


def _too_long_repeat(left: object, right: object) -> bool:
    for seq, n in ((left, right), (right, left)):
        if isinstance(seq, str | list | tuple) and isinstance(n, int) and _size(seq) * n > MAX_SIZE:
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
        # As Template.render, the text counted as it comes (each piece was checked).
        text = _written(template.root_render_func(template.new_context(present)))
        return Rendered(text, tuple(_printed.get() or ()))
    except Exception as exc:  # the template's own doing: 1/0, range(10**9), "a" + 1, too slow
        raise ValueError(_explain(exc)) from exc
    finally:
        if sys.getprofile() is _hook:
            sys.setprofile(None)
        _deadline.reset(limit)
        _printed.reset(token)


def _tick() -> None:
    """Stop a render past its deadline; past WATCH_AFTER, watch it at every call (the hook
    is this thread's only, and render() takes it away at the end)."""
    deadline = _deadline.get()
    if deadline is None:
        return
    now = time.monotonic()
    if now > deadline:
        from jinja2 import TemplateRuntimeError

        raise TemplateRuntimeError(TOO_SLOW)
    if now > deadline - RENDER_SECONDS + WATCH_AFTER and sys.getprofile() is None:
        sys.setprofile(_hook)  # (a profiler already running here is left alone)


def _hook(_frame: Any, event: str, _arg: Any) -> None:
    """The profile hook: the clock checked at every call, including a built-in's (C) one,
    which no block, filter or operator of the template's sees."""
    if event in ("call", "c_call"):
        deadline = _deadline.get()
        if deadline is not None and time.monotonic() > deadline:
            from jinja2 import TemplateRuntimeError

            raise TemplateRuntimeError(TOO_SLOW)


def _written(chunks: Iterator[str]) -> str:
    """The rendered text, stopped once it passes MAX_SIZE."""
    out: list[str] = []
    length = 0
    for chunk in chunks:
        length += len(chunk)
        if length > MAX_SIZE:
            _too_long()
        out.append(chunk)
    return "".join(out)


def _explain(exc: object, text: str = "") -> str:
    line = getattr(exc, "lineno", None)
    where = f" (line {line})" if line else ""
    return f"The template has a mistake{where}: {text or getattr(exc, 'message', None) or exc}"
