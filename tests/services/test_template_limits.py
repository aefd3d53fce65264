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
import sys
from app.services import templates
try:
    templates.render(sys.argv[1], {"first_name": "Ann"})
except ValueError as exc:
    print(exc)
"""


@pytest.mark.parametrize("source", RUNAWAY)
def test_a_runaway_template_is_stopped_with_a_reason(source: str) -> None:
    # In a process of its own: a hang is a timeout here, not a test run that never ends.
    done = subprocess.run(
        [sys.executable, "-c", RENDER, source],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("The template has a mistake"), done.stdout


def test_ordinary_arithmetic_and_loops_still_render() -> None:
    source = (
        "{% for i in range(3) %}{{ i * 2 }}{% endfor %} {{ 2 ** 10 }} {{ 'ab' * 3 }} "
        "{% for c in first_name %}{{ c }}.{% endfor %}"
    )
    assert templates.render(source, {"first_name": "Ann"}).text == "024 1024 ababab A.n.n."
