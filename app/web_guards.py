"""What every request and answer goes through: URL converters, query checks, security headers.

- ``<int:...>`` in a route matches only ids a database integer can hold (1 .. 2^31-1),
  so ``/api/v1/events/99999999999`` is a 404 instead of an overflow on PostgreSQL;
  ``<slug>`` / ``<token>`` never match control characters (``/events/%00`` is a 404).
- A query string with a NUL character is refused (400): no database stores one.
- Security headers on every answer: Content-Security-Policy without inline script or
  style, ``frame-ancestors 'none'``, Permissions-Policy denying the powerful features,
  HSTS when ``HSTS_SECONDS`` is set (production), and the usual nosniff / framing /
  referrer headers.
"""
from __future__ import annotations

from flask import Flask, abort, current_app, request
from werkzeug.routing import IntegerConverter, UnicodeConverter

from app.domain.text_input import MAX_INT4

#: Directives of the Content-Security-Policy (scripts and styles from our own files only).
CSP_DIRECTIVES: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
#: Features no page uses. When one does (a QR scanner needs the camera), allow it as camera=(self).
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "camera", "microphone", "geolocation", "payment", "usb", "serial", "hid",
    "magnetometer", "gyroscope", "accelerometer", "display-capture",
))
#: Set on a response (response.csp_extra = {...}) to widen one directive for that page only.
CSP_EXTRA_ATTR = "csp_extra"


def _at_most(limit: int) -> str:
    """A regex of the decimal numbers 1..limit, without leading zeros."""
    digits = str(limit)
    parts = [rf"[1-9]\d{{0,{len(digits) - 2}}}"] if len(digits) > 1 else []
    for i, ch in enumerate(digits):
        low = 1 if i == 0 else 0
        if int(ch) > low:
            parts.append(digits[:i] + f"[{low}-{int(ch) - 1}]" + r"\d" * (len(digits) - i - 1))
    parts.append(digits)
    return "(?:" + "|".join(parts) + ")"


class DatabaseIdConverter(IntegerConverter):
    """`<int:id>`: a positive id that fits a 32-bit database integer; anything larger is a 404.

    The bound is in the regex, not only in to_python: a value refused after matching would make
    Werkzeug answer 405 for a path that has another method (GET and POST /events/<id>/registrations).
    """

    regex = _at_most(MAX_INT4)

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_INT4, signed=False):  # noqa: A002 - werkzeug names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class PrintableConverter(UnicodeConverter):
    """The default `<name>` converter without control characters (no NUL reaches a query)."""

    def __init__(self, map, minlength=1, maxlength=None, length=None):  # noqa: A002
        super().__init__(map, minlength=minlength, maxlength=maxlength, length=length)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]")


def content_security_policy(extra: dict[str, str] | None = None) -> str:
    directives = dict(CSP_DIRECTIVES)
    for name, value in (extra or {}).items():
        directives[name] = value
    return "; ".join(f"{name} {value}" for name, value in directives.items())


DEFAULT_CSP = content_security_policy()


def allow_inline_style_attributes(response):
    """For a page that shows foreign HTML with style="" attributes in a sandboxed frame (a mail)."""
    extra = dict(getattr(response, CSP_EXTRA_ATTR, None) or {})
    extra["style-src-attr"] = "'unsafe-inline'"
    setattr(response, CSP_EXTRA_ATTR, extra)
    return response


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = DatabaseIdConverter
    app.url_map.converters["default"] = PrintableConverter
    app.url_map.converters["string"] = PrintableConverter

    @app.before_request
    def _refuse_nul_in_query():
        if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
            abort(400)

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        extra = getattr(response, CSP_EXTRA_ATTR, None)
        headers.setdefault("Content-Security-Policy", content_security_policy(extra) if extra else DEFAULT_CSP)
        headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        seconds = current_app.config.get("HSTS_SECONDS") or 0
        if seconds:  # production only (browsers ignore it over plain HTTP anyway)
            headers.setdefault("Strict-Transport-Security", f"max-age={int(seconds)}; includeSubDomains")
        return response


def registration_rate_limit() -> str:
    """RATELIMIT_REGISTRATION: per client address, for registering and for the private links' pages."""
    from flask import current_app

    return current_app.config["RATELIMIT_REGISTRATION"]


def keep_private(blueprint) -> None:
    """A blueprint's pages hold personal data or a private link: never cached, never a referrer."""

    @blueprint.after_request
    def _private(response):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
