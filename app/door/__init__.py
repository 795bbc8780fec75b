"""受付 (door check-in): a phone-first staff page per event and session.

Admins and organizers may check in any event; door staff (role ``checkin``)
only the events assigned to them (organizer event page, or
``flask organizers assign-checkin``). The page scans the 受付票's QR code in the
browser (static/vendor/jsqr), takes a typed 受付番号, searches by kana, name,
company or 受付番号, undoes, registers walk-ins, and queues scans made offline
(static/js/checkin.js). Every change goes through app.services.checkin.
"""
from flask import Blueprint

bp = Blueprint("door", __name__, url_prefix="/checkin")

from app.door import views  # noqa: E402,F401  (routes)
