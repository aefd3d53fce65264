"""The prep sheet for an informational interview, as HTML that the window prints or saves as
PDF: the contact, how you met, the homework, the questions with room for notes."""

from __future__ import annotations

from html import escape

from app.services.interviews import FOUND_VIA_LABELS, HOMEWORK, InterviewDetail

# Roughly two lines of room under each question.
NOTE_ROOM = '<table width="100%" cellspacing="0"><tr><td height="54"></td></tr></table>'


def prep_sheet_html(
    detail: InterviewDetail, organization: str, title: str, how_met: str, employer: str
) -> str:
    r = detail.record
    e = escape
    facts = []
    if organization or title:
        facts.append(e(", ".join(x for x in (title, organization) if x)))
    if r.starts_at:
        when = f"{r.starts_at:%A} {r.starts_at.day} {r.starts_at:%B %Y, %H:%M}"
        facts.append(e(f"{when} {r.tz}".strip()) + f" · {r.length_minutes} minutes agreed")
    else:
        facts.append(f"{r.length_minutes} minutes agreed")
    if r.place:
        facts.append(e(r.place))
    met = []
    if how_met:
        met.append(e(how_met))
    if detail.introduced_by:
        met.append(f"Introduced by {e(detail.introduced_by)}")
    if r.found_via:
        met.append(f"Found through: {e(FOUND_VIA_LABELS[r.found_via])}")
    if employer:
        met.append(f"Target employer: {e(employer)}")
    homework = "".join(
        f"<li>{'☑' if key in r.homework_done else '☐'} {e(label)}</li>" for key, label in HOMEWORK
    )
    notes = "".join(f"<p>{e(line)}</p>" for line in r.homework_notes.splitlines() if line.strip())
    questions = "".join(
        f"<li><b>{e(q.text)}</b> <span style='color:#666'>({e(q.theme)})</span>{NOTE_ROOM}</li>"
        for q in detail.questions
    )
    return f"""<html><body style="font-family: sans-serif; font-size: 10pt">
<h1 style="font-size: 16pt">Informational interview: {e(detail.who)}</h1>
<p>{"<br>".join(facts)}</p>
<h2 style="font-size: 12pt">How you know them</h2>
<p>{"<br>".join(met) or "Not noted."}</p>
<h2 style="font-size: 12pt">Homework</h2>
<ul>{homework}</ul>
{notes}
<h2 style="font-size: 12pt">Questions, most important first</h2>
<ol>{questions or "<li>No questions planned yet.</li>"}</ol>
<h2 style="font-size: 12pt">Notes</h2>
{NOTE_ROOM * 3}
<p style="color:#666">Keep to the {r.length_minutes} minutes. Ask who else you should talk to.
Send a thank-you within a day.</p>
</body></html>"""
