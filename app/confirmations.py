"""The questions asked before an action that cannot be taken back, with or without JavaScript.

A button (or a form, or a radio choice of a form) carries its question in ``data-confirm``:
static/js/confirm.js asks it with the browser's dialog and, when the answer is yes, adds
``confirmed=1`` to what the form sends. The view asks `confirmed_or_ask` first: without that
field (no JavaScript, or a script that failed to load) it answers with a page that asks the same
question and sends the same fields again, confirmed. So the question is asked once either way,
and the action never runs unasked.
"""
from __future__ import annotations

from flask import render_template, request
from flask_babel import lazy_gettext as _l

#: One source for each question: the templates show it in data-confirm, the views ask it without JS.
QUESTIONS = {
    "unpublish": _l("Unpublish this event? Its page and registration form close and it is a draft again."),
    "question_delete": _l("Delete the question “%(label)s”? The form will no longer ask it."),
    "reminder_delete": _l("Delete this reminder? Registrants will no longer be sent it."),
    "lottery_draw": _l("Draw the lottery now? This cannot be undone; the results are mailed to every applicant."),
    "reject": _l("Reject this registration? The registrant is told by mail, with your message if you wrote one."),
    "bulk_cancel": _l("Cancel every selected registration? Each registrant is told by mail that the organizer "
                      "cancelled it (without your reason); the places go to the waiting list."),
    "bulk_reject": _l("Reject every selected registration? Each registrant is told by mail, with your message "
                      "if you wrote one."),
    "kpi_delete": _l("Delete this KPI? Its figures are not lost: they come from the events."),
    "team_leave": _l("Leave this team? You can join a team again with an invite code."),
}

FIELD = "confirmed"


def question(key: str, **values) -> str:
    text = str(QUESTIONS[key])
    return text % values if values else text


def confirmed_or_ask(key: str, *, back: str, **values):
    """None when this POST was confirmed; else the page that asks the question (HTTP 200), whose
    form sends the same fields again with ``confirmed=1`` (a fresh CSRF token, not the old one)."""
    if request.form.get(FIELD) == "1":
        return None
    fields = [(name, value) for name, value in request.form.items(multi=True)
              if name not in ("csrf_token", FIELD)]
    return render_template("confirm.html", question=question(key, **values), fields=fields, back=back,
                           action=request.full_path.rstrip("?"))


def init_app(app) -> None:
    app.jinja_env.globals["confirm_question"] = question
