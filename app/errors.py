"""Error pages (HTML) and JSON errors for the API.

Every answer keeps the headers the error carries (``Allow`` on a 405, ``Retry-After``
on a 429/503). A database that cannot be reached answers 503 with ``Retry-After``,
never 500.
"""
from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, SQLAlchemyError
from werkzeug.exceptions import HTTPException

from app.database import is_unavailable
from app.domain.manage_links import redact_path
from app.logs import describe_exception

#: Headers of the error's own response that describe the answer's body, not the error.
_BODY_HEADERS = {"content-type", "content-length"}


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _keep_error_headers(response, err: HTTPException):
    for name, value in err.get_headers():
        if name.lower() not in _BODY_HEADERS:
            response.headers[name] = value
    return response


def _rollback_quietly() -> None:
    from app.extensions import db

    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone: nothing to roll back
        current_app.logger.debug("rollback after a database error failed", exc_info=True)


def _render(code: int, message: str, error: str):
    if _wants_json():
        response = jsonify(error=error, message=message)
        response.status_code = code
        return response
    return current_app.make_response((render_template("errors/error.html", code=code, message=message), code))


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(err):
        message = _("The form expired or was sent from elsewhere. Please go back, reload the page and try again.")
        if _wants_json():
            return jsonify(error="csrf", message=message), 400
        return render_template("errors/error.html", code=400, message=message), 400

    @app.errorhandler(HTTPException)
    def _http(err: HTTPException):
        messages = {
            400: _("The request could not be understood."),
            403: _("You do not have permission to do this."),
            404: _("The page was not found."),
            405: _("This action is not allowed here."),
            413: _("What was sent is too large. Please shorten the text or send less at once."),
            429: _("Too many requests. Please wait a moment and try again."),
        }
        code = err.code or 500
        message = messages.get(code, err.description)
        error = (err.name or "error").lower().replace(" ", "_")
        if code == 413:
            error = "too_large"
        return _keep_error_headers(_render(code, message, error), err)

    @app.errorhandler(SQLAlchemyError)
    def _database(err: SQLAlchemyError):
        if not is_unavailable(err):
            if isinstance(err, DataError) and not app.testing:
                # A value the database refused (the validation should have caught it): the client's fault.
                app.logger.warning("Database refused a value on %s %s: %s", request.method, request.path, err.orig)
                _rollback_quietly()
                return _render(400, _("The request could not be understood."), "bad_request")
            return _unexpected(err)
        app.logger.error("Database unavailable on %s %s: %s", request.method, request.path, err)
        _rollback_quietly()
        # The page must not touch the database again (the header shows who is signed in).
        from app.extensions import login_manager

        g._login_user = login_manager.anonymous_user()
        message = _("The service is temporarily unavailable. Please try again in a few moments.")
        response = _render(503, message, "service_unavailable")
        response.headers["Retry-After"] = str(app.config.get("DATABASE_RETRY_AFTER", 5))
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if app.testing:
            raise err
        # No private link's token, no personal data from the database (app.logs).
        app.logger.error("Unhandled error on %s %s\n%s", request.method, redact_path(request.path),
                         describe_exception(err))
        _rollback_quietly()
        message = _("Something went wrong on our side. Please try again in a moment.")
        if _wants_json():
            return jsonify(error="internal_error", message=message), 500
        return render_template("errors/error.html", code=500, message=message), 500
