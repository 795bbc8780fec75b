"""受付票 (ticket) codes, their QR image, and a registration's calendar file.

The QR code carries ``TSUDOI:<reference>:<mac>``: the reference number shown on
the ticket and an HMAC (SECRET_KEY) of the registration and event ids. It names
nobody, yet the check-in desk can tell a real ticket from a made-up one with
`verify_ticket_code`, which returns the registration id.
"""
from __future__ import annotations

import functools
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

import segno
from icalendar import Calendar, Timezone
from icalendar import Event as VEvent
from markupsafe import Markup

from app.domain import language
from app.domain.codes import RegistrationStatus
from app.domain.dates import JST
from app.domain.mail_text import one_line

PREFIX = "TSUDOI"
_MAC_LENGTH = 24  # hex characters (96 bits)
_CODE_RE = re.compile(rf"^{PREFIX}:T(\d+)-(\d+):([0-9a-f]{{{_MAC_LENGTH}}})$")


def _mac(registration_id: int, event_id: int, secret: str) -> str:
    message = f"ticket:{registration_id}:{event_id}".encode()
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()[:_MAC_LENGTH]


def ticket_code(registration, secret: str) -> str:
    """The text encoded in the 受付票's QR code."""
    return f"{PREFIX}:{registration.reference}:{_mac(registration.id, registration.event_id, secret)}"


@dataclass(frozen=True)
class TicketCode:
    registration_id: int
    event_id: int


def verify_ticket_code(code: str, secret: str) -> TicketCode | None:
    """The registration a scanned code stands for, or None when it is malformed or forged."""
    match = _CODE_RE.match((code or "").strip())
    if not match:
        return None
    event_id, registration_id, mac = int(match.group(1)), int(match.group(2)), match.group(3)
    if not hmac.compare_digest(mac, _mac(registration_id, event_id, secret)):
        return None
    return TicketCode(registration_id=registration_id, event_id=event_id)


def qr_svg(code: str, *, title: str = "") -> Markup:
    """An inline <svg> of the QR code (no external image, prints sharply)."""
    qr = segno.make(code, error="m", micro=False)
    svg = qr.svg_inline(scale=5, border=4, title=title or None, svgclass="ticket-qr", lineclass=None)
    return Markup(svg)


# --- calendar -------------------------------------------------------------------------


def _location(event, session) -> str:
    if session.is_online or event.format == "online":
        return "Online / オンライン"
    venue = session.venue or event.venue
    return one_line(" ".join(part for part in (venue, event.address) if part))


def calendar_ics(registration, *, now: datetime, manage_url: str, domain: str = "tsudoi",
                 join_url: str | None = None, lang: str | None = None) -> bytes:
    """One VEVENT per session, in Japan time, with a UID stable for this registration and session.

    Confirmed registrants of online/hybrid events get their personal join link (`join_url`); a cancelled
    registration (or event) yields CANCELLED events so calendars drop them.
    Single-line fields (calendar name, summary, location) lose any line break or
    control character an organizer typed: the file is always valid.
    """
    event = registration.event
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    cancelled = registration.status not in (
        RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED,
        RegistrationStatus.APPLIED, RegistrationStatus.PENDING,
    ) or event.status == "cancelled"
    # The online URL itself is never written: the registrant's personal join link leads to it.
    show_online = confirmed and event.format in ("online", "hybrid") and bool(event.online_url) and bool(join_url)

    cal = Calendar()
    cal.add("prodid", "-//Tsudoi//Event registration//JA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # The event's English title for an English reader (default: the registrant's language), when it has one.
    title = one_line(language.event_text(event, "title", lang or registration.language or "ja")[0])
    cal.add("x-wr-calname", title)
    cal.add("x-wr-timezone", "Asia/Tokyo")
    many = len(event.sessions) > 1
    for n, session in enumerate(event.sessions, start=1):
        item = VEvent()
        item.add("uid", f"reg-{registration.id}-session-{session.id}@{domain}")
        item.add("dtstamp", now)
        item.add("dtstart", session.starts_at.astimezone(JST))
        if session.ends_at:
            item.add("dtend", session.ends_at.astimezone(JST))
        summary = title
        if session.title:
            summary = f"{title}（{one_line(session.title)}）"
        elif many:
            summary = f"{title}（{n}/{len(event.sessions)}）"
        item.add("summary", summary)
        location = _location(event, session)
        if location:
            item.add("location", location)
        lines = [f"受付番号 / Registration: {registration.reference}"]
        if show_online:
            item.add("url", join_url)
            lines.append(f"オンライン参加リンク / Join online: {join_url}")
        lines.append(f"申込内容の確認・キャンセル / Your registration: {manage_url}")
        item.add("description", "\n".join(lines))
        if cancelled:
            item.add("status", "CANCELLED")
        else:
            item.add("status", "CONFIRMED" if confirmed else "TENTATIVE")
        item.add("sequence", 1 if cancelled else 0)
        cal.add_component(item)
    cal.add_component(_japan_vtimezone())
    return cal.to_ical()


@functools.cache
def _japan_vtimezone() -> Timezone:
    """The Asia/Tokyo VTIMEZONE, built once: icalendar derives it by walking the tz
    database, which cost ~90 ms per file (inside the registration transaction)."""
    return Timezone.from_tzinfo(JST)
