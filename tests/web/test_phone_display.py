"""Phone numbers are stored as digits and shown the Japanese way (the `phone` filter, app.domain.people.format_phone)."""
from __future__ import annotations

from app import urls
from app.extensions import db
from tests import factories


def test_stored_as_digits_shown_with_hyphens_everywhere(app, client, create_event, create_organizer, login):
    event = create_event()
    reg = factories.register(event, phone="090 1234 5678").registration
    assert reg.phone == "09012345678"  # stored normalised, as before
    token = urls.manage_token(reg)
    db.session.commit()

    manage = client.get(f"/r/{token}").get_data(as_text=True)
    assert "090-1234-5678" in manage and "09012345678" not in manage
    edit = client.get(f"/r/{token}/edit").get_data(as_text=True)
    assert 'value="090-1234-5678"' in edit  # the form shows it the same way; saved again as digits

    login(create_organizer())
    listing = client.get(f"/organizer/events/{event.id}/registrants?columns=full_name&columns=phone")
    assert "090-1234-5678" in listing.get_data(as_text=True)
    detail = client.get(f"/organizer/events/{event.id}/registrants/{reg.id}").get_data(as_text=True)
    assert "090-1234-5678" in detail


def test_the_filter_is_available_to_every_template(app):
    with app.test_request_context():
        assert app.jinja_env.from_string("{{ '0222214876'|phone }}").render() == "022-221-4876"
