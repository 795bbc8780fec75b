"""Accessibility proven in the suite (issue 12, part 7; target WCAG 2.2 AA, which covers JIS X 8341-3 AA).

Over the demo's data (the bureau's report), every page a person sees — public, registrant,
organizer and staff — is opened in real Chromium at desktop (1280 px) and phone (390 px) sizes,
in Japanese and in English (`?lang=en`), and

- axe-core (axe-playwright-python, which bundles it) finds no serious or critical violation;
- at 390 px no page scrolls sideways as a whole (a wide table scrolls in its own region).

The pages come from the app's url_map: `test_the_sweep_covers_every_page_of_the_url_map` fails
when a GET page is added without being visited here (or named in NOT_PAGES, with why).
One browser, one context per size and language; the demo is loaded once per context.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.db_types import utcnow
from app.extensions import db

#: GET endpoints that are not pages a person reads (files, redirects, actions), and why.
NOT_PAGES = {
    "static": "files",
    "public.favicon": "an icon",
    "public.theme_css": "a stylesheet",
    "public.set_language": "a redirect that sets the language",
    "registration.calendar": "an .ics file",
    "organizer.export_file": "the exported file",
    "organizer.export_report": "a CSV file",
    "organizer.registrants_summary": "a CSV file",
    "stats.fiscal_years_csv": "a CSV file",
    "stats.held_events_xlsx": "an XLSX file",
    "organizer.application_file": "an applicant's file (an attachment)",
    "door.search": "an HTML fragment the 受付 page's script inserts (checked inside /checkin/events/<id>)",
}

#: Pages reached only through a flow, checked with axe (both sizes and languages) by that flow's test.
FLOW_PAGES = {
    "registration.done": "test_keyboard_only_registration (needs the registration just made in that browser)",
}

DEMO_PASSWORD = "tsudoi-demo"
DEMO_ADMIN = "demo@tsudoi.example.jp"
#: Pages of the reviewer's own (admins do not review): visited signed in as the demo's reviewer.
REVIEWER = ("reviewer@tsudoi.example.jp", "tsudoi-reviewer")
REVIEWER_PAGES = ("organizer.reviews", "organizer.review")
SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
BLOCKING = {"serious", "critical"}


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _load_demo():
    from app.demo.generator import load_demo

    load_demo(now=utcnow(), seed=2021)
    db.session.commit()


def _pages() -> dict[str, str]:
    """endpoint -> a path showing it, from the demo's data (plus an export log and an upload)."""
    from flask import url_for

    from app.models import Event, EventSeries, ExportLog, OutboxMessage, Registration
    from app.models.kpis import Kpi
    from app.services import imports
    from app.urls import join_url, manage_url

    now = utcnow()
    events = db.session.scalars(select(Event).order_by(Event.starts_at)).all()
    upcoming = [e for e in events if e.starts_at > now and e.status == "published"]
    past = [e for e in events if e.starts_at < now - timedelta(days=2)]
    open_event = next(e for e in upcoming if e.admission_mode == "first_come" and not e.choose_sessions
                      and e.ticket_types)
    lottery = next(e for e in events if e.admission_mode == "lottery")
    perday = next(e for e in upcoming if e.choose_sessions)
    online = next(e for e in upcoming if e.format in ("online", "hybrid") and e.online_url)
    series = db.session.scalars(select(EventSeries).order_by(EventSeries.id)).first()

    def confirmed(event):
        return db.session.scalars(select(Registration).where(
            Registration.event_id == event.id, Registration.status == "confirmed").order_by(Registration.id)).first()

    from tests import factories

    def answer(q):
        if q.kind == "multiple":
            return [q.choices[0]]
        if q.kind == "single":
            return q.choices[0]
        return True if q.kind == "yesno" else "テスト"

    answers = {str(q.id): answer(q) for q in open_event.questions if q.required}
    reg = factories.register(open_event, 9001, answers=answers).registration  # with its mail in the outbox
    day_reg = confirmed(perday)
    online_reg = confirmed(online)
    assert reg and day_reg and online_reg, "the demo has confirmed registrations in upcoming events"
    session_id = open_event.sessions[0].id
    ticket_id = open_event.ticket_types[0].id

    from app.models import Organizer
    admin = db.session.scalar(select(Organizer).where(func.lower(Organizer.email) == DEMO_ADMIN))
    log = ExportLog(event_id=past[-1].id, organizer_id=admin.id, actor_label=admin.email, created_at=now,
                    format="csv_cp932", columns=["last_name"], row_count=12, replaced_cells=1,
                    report=[[1, "last_name", "髙橋", "?橋"]])
    db.session.add(log)
    from pathlib import Path
    data = (Path(__file__).resolve().parents[1] / "data" / "imports" / "past-utf8-bom.csv").read_bytes()
    upload = imports.upload("past.csv", data, event=past[-1], target=None, actor=admin, now=now)
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).first()
    kpi = db.session.scalars(select(Kpi).order_by(Kpi.id)).first()
    assert message is not None and kpi is not None

    e = open_event.id
    pages = {
        "auth.login": url_for("auth.login"),
        "public.index": url_for("public.index"),
        "public.event": url_for("public.event", slug=open_event.slug),
        "public.event_by_id": url_for("public.event_by_id", event_id=open_event.id),
        "public.lottery": url_for("public.lottery", slug=lottery.slug),
        "public.series": url_for("public.series", slug=series.slug),
        "public.privacy": url_for("public.privacy"),
        "public.accessibility": url_for("public.accessibility"),
        "public.contact": url_for("public.contact"),
        "registration.register": url_for("registration.register", slug=open_event.slug),
        "registration.manage": _path(manage_url(reg)),
        "registration.edit": _path(manage_url(reg)) + "/edit",
        "registration.cancel": _path(manage_url(reg)) + "/cancel",
        "registration.ticket": _path(manage_url(reg)) + "/ticket",
        "registration.days": _path(manage_url(day_reg)) + "/days",
        "join.join": _path(join_url(online_reg)),
        "organizer.dashboard": url_for("organizer.dashboard"),
        "organizer.event_new": url_for("organizer.event_new"),
        "organizer.event_detail": url_for("organizer.event_detail", event_id=e),
        "organizer.event_edit": url_for("organizer.event_edit", event_id=e),
        "organizer.event_copy": url_for("organizer.event_copy", event_id=e),
        "organizer.event_cancel": url_for("organizer.event_cancel", event_id=e),
        "organizer.event_postpone": url_for("organizer.event_postpone", event_id=e),
        "organizer.session_new": url_for("organizer.session_new", event_id=e),
        "organizer.session_edit": url_for("organizer.session_edit", event_id=e, session_id=session_id),
        "organizer.session_delete": url_for("organizer.session_delete", event_id=e, session_id=session_id),
        "organizer.ticket_new": url_for("organizer.ticket_new", event_id=e),
        "organizer.ticket_edit": url_for("organizer.ticket_edit", event_id=e, ticket_id=ticket_id),
        "organizer.ticket_delete": url_for("organizer.ticket_delete", event_id=e, ticket_id=ticket_id),
        "organizer.registrants": url_for("organizer.registrants", event_id=e),
        "organizer.registrant": url_for("organizer.registrant", event_id=e, registration_id=reg.id),
        "organizer.registrant_cancel": url_for("organizer.registrant_cancel", event_id=e, registration_id=reg.id),
        "organizer.attendance_people": url_for("organizer.attendance_people", event_id=online.id),
        "organizer.attendance_import": url_for("organizer.attendance_import", event_id=online.id),
        "organizer.lottery": url_for("organizer.lottery", event_id=lottery.id),
        "organizer.export_log": url_for("organizer.export_log", event_id=past[-1].id),
        "organizer.export_detail": url_for("organizer.export_detail", event_id=past[-1].id, log_id=log.id),
        "organizer.import_new": url_for("organizer.import_new"),
        "organizer.import_mapping": url_for("organizer.import_mapping", upload_id=upload.id),
        "organizer.import_preview": url_for("organizer.import_preview", upload_id=upload.id),
        "organizer.outbox": url_for("organizer.outbox"),
        "organizer.outbox_message": url_for("organizer.outbox_message", message_id=message.id),
        "organizer.series_detail": url_for("organizer.series_detail", series_id=series.id),
        "stats.fiscal_years": url_for("stats.fiscal_years"),
        "stats.event": url_for("stats.event", event_id=past[-1].id),
        "stats.kpis": url_for("stats.kpis"),
        "stats.kpi": url_for("stats.kpi", kpi_id=kpi.id),
        "stats.kpi_form": url_for("stats.kpi_form", kpi_id=kpi.id),
        "door.index": url_for("door.index"),
        "door.desk": url_for("door.desk", event_id=e),
        "door.walk_in": url_for("door.walk_in", event_id=e),
        "auth.logout_everywhere": url_for("auth.logout_everywhere"),
    }
    # Teams, applications, review and results (issue 11), from the demo's debate contest and DX大賞.
    from app.models import ApplicationFile, EventResult, ReviewAssignment, ReviewCriterion, Team

    by_slug = {ev.slug: ev for ev in events}
    debate, award, award_past = by_slug["energy-debate-next"], by_slug["dx-award-next"], by_slug["dx-award-r3"]
    team = db.session.scalars(select(Team).where(Team.event_id == debate.id).order_by(Team.id)).first()
    team_reg = db.session.get(Registration, team.registration_id)
    file = db.session.scalars(select(ApplicationFile).join(Registration).where(Registration.event_id == award.id)
                              .order_by(ApplicationFile.id)).first()
    applicant = db.session.get(Registration, file.registration_id)
    criterion = db.session.scalars(select(ReviewCriterion).where(ReviewCriterion.event_id == award.id)).first()
    result = db.session.scalars(select(EventResult).where(EventResult.event_id == award_past.id)).first()
    assignment = db.session.scalars(select(ReviewAssignment).order_by(ReviewAssignment.id)).first()
    assert team and file and criterion and result and assignment, "the demo has teams, files, review and results"
    pages.update({
        "organizer.teams": url_for("organizer.teams", event_id=debate.id),
        "organizer.team_members": url_for("organizer.team_members", event_id=debate.id, team_id=team.id),
        "registration.team": _path(manage_url(team_reg)) + "/team",
        "organizer.applications": url_for("organizer.applications", event_id=award.id),
        "organizer.application_settings": url_for("organizer.application_settings", event_id=award.id),
        "organizer.applications_notify": url_for("organizer.applications_notify", event_id=award_past.id),
        "organizer.application": url_for("organizer.application", event_id=award.id,
                                         registration_id=applicant.id),
        "organizer.review_setup": url_for("organizer.review_setup", event_id=award.id),
        "organizer.criterion_remove": url_for("organizer.criterion_remove", event_id=award.id,
                                              criterion_id=criterion.id),
        "organizer.results": url_for("organizer.results", event_id=award_past.id),
        "organizer.result_remove": url_for("organizer.result_remove", event_id=award_past.id, result_id=result.id),
        "registration.files": _path(manage_url(applicant)) + "/files",
        "registration.remove_file": _path(manage_url(applicant)) + f"/files/{file.id}/remove",
        "organizer.reviews": url_for("organizer.reviews"),
        "organizer.review": url_for("organizer.review", assignment_id=assignment.id),
    })
    # The same endpoint's other page (a new KPI) is visited too.
    pages["stats.kpi_form (new)"] = url_for("stats.kpi_form")
    return pages


def _page_endpoints(app) -> set[str]:
    return {rule.endpoint for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and not rule.rule.startswith("/api/")}


def test_the_sweep_covers_every_page_of_the_url_map(app):
    _load_demo()
    with app.test_request_context():
        pages = _pages()
    visited = {name.split(" ")[0] for name in pages}
    missing = _page_endpoints(app) - visited - set(NOT_PAGES) - set(FLOW_PAGES)
    assert not missing, f"GET pages not in the accessibility sweep (add them to _pages or NOT_PAGES): {missing}"
    assert not visited & set(NOT_PAGES)
    assert not (visited | set(NOT_PAGES)) - _page_endpoints(app), "names of endpoints that no longer exist"


def _login(page, lang: str, email: str = DEMO_ADMIN, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login" + ("?lang=en" if lang == "en" else ""))
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url("**/organizer/**")


def _horizontal_overflow(page) -> int:
    """How many CSS px the page is wider than the window (0: no page-level sideways scroll)."""
    page.wait_for_load_state("load")
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _sweep(app, browser, live_server, lang: str, size: str):
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.conftest import CHROMIUM  # noqa: F401  (Debian's Chromium, never a download)

    with app.test_request_context():
        pages = _pages()
    context = browser.new_context(base_url=live_server.url, locale="ja-JP" if lang == "ja" else "en-US",
                                  viewport=SIZES[size], is_mobile=size == "phone", has_touch=size == "phone")
    context.set_default_timeout(15_000)
    page = context.new_page()
    axe = Axe()
    problems: list[str] = []
    try:
        order = (["auth.login"] + [name for name in pages if name != "auth.login" and name not in REVIEWER_PAGES]
                 + list(REVIEWER_PAGES))
        for name in order:
            if name == REVIEWER_PAGES[0]:  # the reviewer's own pages, signed in as the reviewer
                context.clear_cookies()
                _login(page, lang, *REVIEWER)
                page._signed_in = True
            if name == "auth.logout_everywhere" or name.startswith(("organizer.", "stats.", "door.")):
                if not getattr(page, "_signed_in", False):
                    _login(page, lang)
                    page._signed_in = True
            path = pages[name]
            url = path + (("&" if "?" in path else "?") + "lang=en" if lang == "en" else "")
            response = page.goto(url)
            if response is None or response.status >= 400:
                problems.append(f"{name} {url}: HTTP {response.status if response else '?'}")
                continue
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in BLOCKING:
                    targets = [" ".join(map(str, n["target"])) for n in violation["nodes"][:3]]
                    problems.append(f"{name} {url}: {violation['impact']} {violation['id']} — {targets}")
            if size == "phone":
                overflow = _horizontal_overflow(page)
                if overflow > 0:
                    problems.append(f"{name} {url}: the page scrolls sideways by {overflow} px at 390 px")
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_every_page_passes_axe_and_fits_a_phone(app, browser, live_server, lang, size):
    _load_demo()
    problems = _sweep(app, browser, live_server, lang, size)
    print("\n".join(problems))  # pytest shortens a long assertion message
    assert not problems, "\n" + "\n".join(problems)
