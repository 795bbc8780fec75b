"""Public pages: the event list, an event's page, the language switch."""
from __future__ import annotations

from datetime import date
from math import ceil
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import abort, current_app, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.db_types import utcnow
from app.domain.admission import event_window, ticket_availability
from app.extensions import db
from app.i18n import current_language, prefecture_name, remember_language
from app.models import Event
from app.public import bp, listing
from app.public.badges import BADGE_CLASSES, event_badge, event_status
from app.public.forms import EventFilterForm


def _page_number(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or 1), 10_000))
    except ValueError:
        return 1


def _prefecture_choices() -> list[tuple[str, str]]:
    codes = db.session.scalars(
        select(Event.prefecture)
        .where(Event.status.in_(listing.PUBLIC_STATUSES), Event.prefecture.is_not(None), Event.prefecture != "")
        .distinct()
    ).all()
    # Online events are listed under every prefecture, and on their own under this choice.
    online = (listing.ONLINE, _("Online (join from anywhere)"))
    return [online, *((code, prefecture_name(code)) for code in sorted(c for c in codes if listing.is_valid_prefecture(c)))]


def _month_choices(when: str, now) -> list[tuple[str, str]]:
    starts = db.session.scalars(
        select(Event.starts_at).where(*listing.base_conditions(listing.Filters(when=when), now))
    ).all()
    months = listing.month_choices(starts, newest_first=(when == listing.PAST))
    en = current_language() == "en"
    out = []
    for key in months:
        year, month = listing.parse_month(key)
        out.append((key, date(year, month, 1).strftime("%B %Y") if en else f"{year}年{month}月"))
    return out


@bp.route("/")
def index():
    now = utcnow()
    when = listing.PAST if request.args.get("when") == listing.PAST else listing.UPCOMING
    form = EventFilterForm(request.args, prefectures=_prefecture_choices(), months=_month_choices(when, now))
    form.validate()
    filters = form.filters()

    stmt = listing.event_list_query(filters, now)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(1, ceil(total / listing.PER_PAGE))
    page = min(_page_number(request.args.get("page")), pages)
    events = db.session.scalars(stmt.limit(listing.PER_PAGE).offset((page - 1) * listing.PER_PAGE)).all()
    badges = {event.id: event_badge(event, now) for event in events}

    def page_url(n: int) -> str:
        args = {k: v for k, v in vars(filters).items() if v}
        if filters.when == listing.UPCOMING:
            args.pop("when", None)
        if request.args.get("lang"):
            args["lang"] = request.args["lang"]
        return url_for("public.index", page=n if n > 1 else None, **args)

    return render_template(
        "public/index.html",
        form=form,
        filters=filters,
        events=events,
        badges=badges,
        badge_classes=BADGE_CLASSES,
        total=total,
        page=page,
        pages=pages,
        page_url=page_url,
        per_page=listing.PER_PAGE,
    )


@bp.route("/events/<slug>")
def event(slug: str):
    found = db.session.scalars(listing.public_event_query(slug)).first()
    if found is None:
        return listing.redirect_if_moved(slug, "public.event")
    now = utcnow()
    window = event_window(found, now)
    tickets = [(tt, ticket_availability(found, tt)) for tt in found.ticket_types]
    status = event_status(found, now)
    return render_template(
        "public/event.html",
        event=found,
        window=window,
        status=status,
        tickets=tickets,
        badge=str(status.state),
        badge_classes=BADGE_CLASSES,
        register_url=url_for("registration.register", slug=found.slug) if status.can_apply else None,
        series_url=_series_url(found),
    )


def _series_url(event: Event) -> str | None:
    """The public page of the event's series, when it has other public editions to choose from."""
    from app.services import series as series_service

    if event.series is None or not series_service.has_other_public_editions(event):
        return None
    return url_for("public.series", slug=event.series.slug, lang=request.args.get("lang"))


@bp.route("/series/<slug>")
def series(slug: str):
    """A series' editions: upcoming ones (place, date, seats left, state) to pick the nearest, past ones below."""
    from app.services import series as series_service

    page = series_service.public_series(slug, utcnow())
    if page is None:
        abort(404)
    return render_template("public/series.html", page=page, badge_classes=BADGE_CLASSES)


@bp.route("/events/<int:event_id>")
def event_by_id(event_id: int):
    """Old addresses by id keep working: a permanent redirect to the event's readable address.

    (An event whose slug is all digits is served at once: its slug wins over an id.)
    """
    if db.session.scalars(listing.public_event_query(str(event_id))).first() is not None:
        return event(str(event_id))
    found = db.session.scalar(
        select(Event).where(Event.id == event_id, Event.status.in_(listing.PUBLIC_STATUSES)))
    if found is None:
        abort(404)
    args = {k: v for k, v in request.args.items()}
    return redirect(url_for("public.event", slug=found.slug, **args), code=301)


@bp.route("/lang/<code>")
def set_language(code: str):
    target = request.args.get("next") or url_for("public.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        target = url_for("public.index")
    else:
        # A ?lang= left in the address would override the choice just made.
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lang"]
        target = parts.path + ("?" + urlencode(query) if query else "")
    response = make_response(redirect(target))
    if code in current_app.config["LANGUAGES"]:
        remember_language(response, code)
    return response
