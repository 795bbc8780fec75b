"""受付票 codes: they name no one, verify with the secret key, and refuse forgeries."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.services.tickets import qr_svg, ticket_code, verify_ticket_code

SECRET = "test-secret-key"


def _reg(reg_id=123, event_id=7):
    return SimpleNamespace(id=reg_id, event_id=event_id, reference=f"T{event_id:04d}-{reg_id:06d}")


def test_code_round_trip():
    code = ticket_code(_reg(), SECRET)
    assert code.startswith("TSUDOI:T0007-000123:")
    found = verify_ticket_code(code, SECRET)
    assert (found.registration_id, found.event_id) == (123, 7)
    assert verify_ticket_code(f"  {code}\n", SECRET) is not None  # scanners add whitespace


@pytest.mark.parametrize("mangle", [
    lambda c: c.replace("T0007-000123", "T0007-000124"),  # another registration
    lambda c: c.replace("T0007", "T0008"),  # another event
    lambda c: c[:-1] + ("0" if c[-1] != "0" else "1"),  # a changed MAC
    lambda c: c.rsplit(":", 1)[0],  # no MAC
    lambda c: "",
    lambda c: "https://example.com/",
])
def test_forged_or_malformed_codes_are_refused(mangle):
    assert verify_ticket_code(mangle(ticket_code(_reg(), SECRET)), SECRET) is None


def test_another_secret_does_not_verify():
    assert verify_ticket_code(ticket_code(_reg(), SECRET), "another-secret") is None


def test_qr_is_inline_svg():
    svg = str(qr_svg(ticket_code(_reg(), SECRET), title="QR"))
    assert svg.startswith("<svg") and "<title>QR</title>" in svg and "<?xml" not in svg
