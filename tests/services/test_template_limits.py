"""Templates the user writes cannot crash or hang a send: what cannot work is refused by the
checker in plain words, and what runs away is stopped by the sandbox or the render deadline."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.model.tables import Campaign
from app.services import interviews, outreach, sending, templates
from app.storage.db import Database
from tests.conftest import ROOT
from tests.mailserver import MailServer
from tests.services.test_outreach import account_for, campaign, connect_to, person

LOADS = [
    '{% include "signature.txt" %}',
    '{% extends "base.txt" %}',
    '{% import "macros.txt" as m %}{{ m.hi() }}',
    '{% from "macros.txt" import hi %}{{ hi() }}',
]

RUNAWAY = [
    "{% for i in range(10**9) %}x{% endfor %}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    '{% for a in "x" * 100000 %}{% for b in "y" * 100000 %}{% endfor %}{% endfor %}',
    '{{ "x" * 10**9 }}',
    "{{ 7 ** 1000000000 }}",
    "{% macro again(n) %}{{ again(n + 1) }}{% endmacro %}{{ again(1) }}",
    "{{ 1 / 0 }}",
]


@pytest.mark.parametrize("source", LOADS)
def test_include_extends_and_import_are_refused_in_plain_words(db: Database, source: str) -> None:
    with pytest.raises(ValueError, match="stands alone"):
        templates.check(source)
    with pytest.raises(ValueError, match="stands alone"):
        templates.render(source, {})
    with db.session() as s, pytest.raises(ValueError, match="stands alone"):
        outreach.create_campaign(s, outreach.CampaignRecord("Hello", "announce", "Hi", source))
    with db.session() as s, pytest.raises(ValueError, match="stands alone"):
        interviews.set_thank_you_template(s, source)


def test_a_template_saved_before_the_check_fails_each_message_and_stops_nothing(
    db: Database, starttls_server: MailServer
) -> None:
    people = [person(db, f"Person {i}", f"p{i}@example.com") for i in range(2)]
    cid = campaign(db)
    with db.session() as s:
        outreach.add_recipients(s, cid, people)
        outreach.queue(s, cid)
        c = s.get(Campaign, cid)
        assert c is not None
        c.body = LOADS[0]  # as an older version let it be saved
        [problem] = [p for p in outreach.problems(s, cid) if p.blocking]
        assert "stands alone" in problem.text
    account = account_for(starttls_server)
    out = sending.send_queued(db, cid, account, connect_to(account))
    assert (out.sent, out.failed, out.left, out.reason) == (0, 2, 0, "done")
    with db.session() as s:
        assert {r.status for r in outreach.recipients(s, cid)} == {"failed"}
        assert all("stands alone" in r.reason for r in outreach.recipients(s, cid))
    assert starttls_server.messages() == []


RENDER = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))  # 1 GB: a huge text fails here
from app.services import templates
if len(sys.argv) > 2:
    templates.RENDER_SECONDS = float(sys.argv[2])
try:
    templates.render(sys.argv[1], {"first_name": "Ann"})
except ValueError as exc:
    print(exc)
"""


def assert_refused_in_own_process(source: str, deadline: float | None = None) -> str:
    """The reason given; *deadline*: the render's, in seconds, instead of RENDER_SECONDS."""
    # Its own process, capped at 1 GB and with a generous timeout: a hang or a huge text is
    # a failure here, not a test run that never ends or a machine out of memory.
    done = subprocess.run(
        [sys.executable, "-c", RENDER, source, *([] if deadline is None else [str(deadline)])],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.startswith("The template has a mistake"), done.stdout[:200]
    return done.stdout


# What only the clock stops, with SHORT_DEADLINE: the test waits for the deadline it checks.
ENDLESS = RUNAWAY[1:3]
SHORT_DEADLINE = 0.2


@pytest.mark.parametrize("source", RUNAWAY)
def test_a_runaway_template_is_stopped_with_a_reason(source: str) -> None:
    reason = assert_refused_in_own_process(source, SHORT_DEADLINE)
    assert (templates.TOO_SLOW in reason) == (source in ENDLESS), reason


def test_ordinary_arithmetic_and_loops_still_render() -> None:
    source = (
        "{% for i in range(3) %}{{ i * 2 }}{% endfor %} {{ 2 ** 10 }} {{ 'ab' * 3 }} "
        "{% for c in first_name %}{{ c }}.{% endfor %}"
    )
    assert templates.render(source, {"first_name": "Ann"}).text == "024 1024 ababab A.n.n."


# One `{{ ... }}` enters no block: the clock is checked at every call, and nothing a template
# makes in one step may pass templates.MAX_SIZE (these each built 300 MB to 10 GB, or ran
# for a minute, before).
ONE_STEP = [
    '{{ ([range(100000)|list]*4000)|map("sum")|sum }}',
    '{{ ([range(100000)|list]*100000)|map("sum")|sum }}',
    '{{ ("%0300000000d" % 1)|length }}',
    '{{ "%*d" % (300000000, 1) }}',
    '{{ ("a"|center(300000000))|length }}',
    '{{ "a".center(300000000)|length }}',
    '{{ "{:>300000000}".format(1)|length }}',
    '{{ "{0:>{1}}".format(1, 300000000)|length }}',
    '{{ ("%0300000000d"|format(1))|length }}',
    '{{ ([("a"*100000)]*100000)|join }}',
    '{{ ([("a"*100000)]*3000)|join|length }}',
    '{{ ",".join((["%s"]*100000)|map("format", "x"*99990)) }}',
    '{{ ("a"*100000 + "b"*100000)|length }}',
    '{% set a = "x"*90000 %}{{ (a ~ a ~ a)|length }}',
    '{{ "x"|indent(300000000, true) }}',
    '{{ range(10)|batch(300000000, "x")|list|length }}',
    '{{ ("ab"*1000)|replace("a", "x"*1000)|length }}',
    '{{ "x"|wordwrap(1, wrapstring="y"*100000) }}',
    "{{ [[1]]*50000|sum(start=[]) }}",
    '{% for i in range(100000) %}{{ "x" * 100 }}{% endfor %}',
    "{% set l = [] %}{% for i in range(100000) %}{{ l.append(l) }}{% endfor %}",
    "{{ lipsum(100000000) }}",
]


@pytest.mark.parametrize("source", ONE_STEP)
def test_a_single_expression_cannot_run_past_the_deadline_or_build_a_huge_text(
    source: str,
) -> None:
    assert_refused_in_own_process(source)


def test_a_long_render_is_watched_at_every_call_and_the_hook_goes_after(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(templates, "RENDER_SECONDS", SHORT_DEADLINE)  # past WATCH_AFTER still
    assert templates.WATCH_AFTER < SHORT_DEADLINE
    seen: list[object] = []

    def watch(_frame: object, _event: str, _arg: object) -> None:
        seen.append(sys.getprofile())

    with pytest.raises(ValueError, match="too long to write"):
        templates.render(
            # Writes nothing, so only the clock can stop it (a loop that wrote a character a
            # pass hit the 100,000 limit first on a fast machine).
            "{% for i in range(10**5) %}{% for j in range(10**5) %}"
            "{% if j|string|length > 9 %}x{% endif %}{% endfor %}{% endfor %}",
            {},
        )
    assert sys.getprofile() is None
    # A profiler already running in this thread is left as it is.
    sys.setprofile(watch)
    try:
        templates.render("{{ first_name|upper }}", {"first_name": "Ann"})
    finally:
        sys.setprofile(None)
    assert seen and all(hook is watch for hook in seen)


def test_the_starter_templates_render_as_plain_jinja_renders_them() -> None:
    from jinja2.sandbox import SandboxedEnvironment

    plain = SandboxedEnvironment(
        undefined=templates.environment().undefined, keep_trailing_newline=True
    )
    values = {
        "first_name": "Ann",
        "last_name": "Lée",
        "organization": "Acme, Inc.",
        "how_met": "at the 2024 meetup",
        "target_field": "user research",
        "my_first_name": "Sam",
    }
    starters = [part for subject, body in outreach.STARTERS.values() for part in (subject, body)]
    starters.append(interviews.DEFAULT_THANK_YOU)
    for source in starters:
        for given in (values, {}):
            expected = plain.from_string(source).render(given)
            assert templates.render(source, given).text == expected, source
    ordinary = (
        "{% for w in first_name|list %}{{ w }}-{% endfor %} {{ '%05d' % 42 }} "
        "{{ '{:>8}'.format(organization) }} {{ organization|center(20) }} "
        "{{ [1, 2, 3]|sum }} {{ ['a', 'b']|join(', ') }} {{ first_name ~ '!' }} "
        "{{ (last_name + ' ') * 2 }}{{ how_met|wordwrap(10) }} {{ 'x'|indent(4, true) }}"
        "{{ range(5)|batch(2, 0)|list }} {{ how_met|replace('2024', '2025')|truncate(12) }}"
    )
    assert templates.render(ordinary, values).text == plain.from_string(ordinary).render(values)
