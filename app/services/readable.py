"""Templates as a person reads them: ⟦First name, or “there”⟧ and ⟦If known: How you met⟧ …
⟦Otherwise⟧ … ⟦End⟧ in the editor, Jinja2 underneath ({{ first_name | default("there") }},
{% if how_met %} … {% else %} … {% endif %}), converted both ways.

Only what the editor offers is shown so: a field, a field with a fallback, and "if a field is
known" with its otherwise-ifs and otherwise. A template using anything more (a loop, a
filter of its own) is shown as written, and whatever the user types outside the ⟦ ⟧ marks,
Jinja2 included, is kept as typed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

OPEN, CLOSE = "⟦", "⟧"
_NAME = r"([A-Za-z_]\w*)"
_TEXT = r"""(?:"((?:[^"\\⟦⟧“”]|\\.)*)"|'([^'\\⟦⟧“”]*)')"""
_JINJA = re.compile(
    r"\{\{\s*" + _NAME + r"\s*(?:\|\s*default\(\s*" + _TEXT + r"\s*\)\s*)?\}\}"
    r"|\{%\s*(if|elif)\s+" + _NAME + r"\s*%\}"
    r"|\{%\s*(else|endif)\s*%\}",
    re.DOTALL,
)
MARK = re.compile(OPEN + "([^" + OPEN + CLOSE + "]*)" + CLOSE)
IF, ELIF, ELSE, END = "If known: ", "Otherwise, if known: ", "Otherwise", "End"
OR = ", or “"


def to_readable(source: str, fields: Sequence[tuple[str, str]]) -> str:
    """*source* with its fields and conditions as marks; as written when it uses more."""
    label = dict(fields)
    unknown = False

    def mark(m: re.Match[str]) -> str:
        nonlocal unknown
        name, double, single, keyword, cond, plain = m.groups()
        if plain:
            return OPEN + (ELSE if plain == "else" else END) + CLOSE
        if keyword:
            if cond not in label:
                unknown = True
                return m.group(0)
            return OPEN + (IF if keyword == "if" else ELIF) + label[cond] + CLOSE
        if name not in label:
            unknown = True
            return m.group(0)
        if double is None and single is None:
            return OPEN + label[name] + CLOSE
        fallback = json.loads(f'"{double}"') if double is not None else single
        return OPEN + label[name] + OR + fallback + "”" + CLOSE

    shown = _JINJA.sub(mark, source)
    if unknown or "{{" in shown or "{%" in shown or MARK.sub("", source) != source:
        return source  # more than the marks can say, or marks typed as text: as written
    return shown


def from_readable(text: str, fields: Sequence[tuple[str, str]]) -> str:
    """The Jinja2 template for *text*; a mark naming no field is left as typed."""
    name = {lab.casefold(): n for n, lab in reversed(fields)}

    def jinja(m: re.Match[str]) -> str:
        inner = m.group(1).strip()
        if inner == ELSE:
            return "{% else %}"
        if inner == END:
            return "{% endif %}"
        for prefix, keyword in ((ELIF, "elif"), (IF, "if")):
            if inner.startswith(prefix) and inner[len(prefix) :].casefold() in name:
                return f"{{% {keyword} {name[inner[len(prefix) :].casefold()]} %}}"
        field, sep, fallback = inner.partition(OR)
        if field.casefold() not in name:
            return m.group(0)
        if sep:
            literal = json.dumps(fallback.removesuffix("”"), ensure_ascii=False)
            return f"{{{{ {name[field.casefold()]} | default({literal}) }}}}"
        return f"{{{{ {name[field.casefold()]} }}}}"

    return MARK.sub(jinja, text)
