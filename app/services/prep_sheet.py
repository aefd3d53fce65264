"""The prep sheet for an informational interview, as HTML that the window prints or saves as
PDF: the contact, how you met, the homework, the questions with room for notes."""

from __future__ import annotations

from html import escape

from app.services.interviews import FOUND_VIA_LABELS, HOMEWORK, InterviewDetail, when_text

LINE_PT = 22  # the height of one ruled line to write on, in points (about 7.8 mm)
QUESTION_LINES, NOTES_LINES = 3, 8


def ruled(lines: int, dpi: int) -> str:
    """Ruled lines to write on. Heights in HTML are pixels of the page's paint device, so
    they are worked out from its *dpi*; a sheet drawn at another resolution keeps its room."""
    height = round(LINE_PT * dpi / 72)
    row = f'<tr><td height="{height}" style="border-bottom: 1px solid #b8b8b8"></td></tr>'
    return (
        '<table width="100%" cellspacing="0" cellpadding="0" '
        f'style="border-collapse: collapse">{row * lines}</table>'
    )


def prep_sheet_html(
    detail: InterviewDetail,
    organization: str,
    title: str,
    how_met: str,
    employer: str,
    story: str = "",
    dpi: int = 96,
) -> str:
    """The sheet for a page whose paint device has *dpi* dots per inch; text in points."""
    r = detail.record
    e = escape
    facts = []
    if organization or title:
        facts.append(e(", ".join(x for x in (title, organization) if x)))
    if detail.held_on is not None:
        facts.append(e(when_text(r.starts_at, detail.held_on)) + f" · {r.length_minutes} minutes")
    elif r.starts_at:
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
    if story.strip():
        notes += "<p><i>Your 60-second story:</i> " + e(" ".join(story.split())) + "</p>"
    questions = "".join(
        f"<li><b>{e(q.text)}</b> <span style='color:#666'>({e(q.theme)})</span>"
        f"{ruled(QUESTION_LINES, dpi)}</li>"
        for q in detail.questions
    )
    return f"""<html><body style="font-family: sans-serif; font-size: 11pt">
<h1 style="font-size: 18pt">Informational interview: {e(detail.who)}</h1>
<p>{"<br>".join(facts)}</p>
<h2 style="font-size: 13pt">How you know them</h2>
<p>{"<br>".join(met) or "Not noted."}</p>
<h2 style="font-size: 13pt">Homework</h2>
<ul style="list-style-type: none">{homework}</ul>
{notes}
<h2 style="font-size: 13pt">Questions, most important first</h2>
<ol>{questions or "<li>No questions planned yet.</li>"}</ol>
<h2 style="font-size: 13pt">Notes</h2>
{ruled(NOTES_LINES, dpi)}
<p style="color:#666">Keep to the {r.length_minutes} minutes. Ask who else you should talk to.
Send a thank-you within a day.</p>
</body></html>"""
