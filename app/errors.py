"""Error pages (HTML) and JSON errors for the API."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from app.domain.manage_links import redact_path
from app.logs import describe_exception


def _wants_json() -> bool:
    return request.path.startswith("/api/")


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
            429: _("Too many requests. Please wait a moment and try again."),
        }
        message = messages.get(err.code or 500, err.description)
        if _wants_json():
            return jsonify(error=err.name.lower().replace(" ", "_"), message=message), err.code
        return render_template("errors/error.html", code=err.code, message=message), err.code

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        if app.testing:
            raise err
        # No private link's token, no personal data from the database (app.logs).
        app.logger.error("Unhandled error on %s %s\n%s", request.method, redact_path(request.path),
                         describe_exception(err))
        from app.extensions import db

        db.session.rollback()
        message = _("Something went wrong on our side. Please try again in a moment.")
        if _wants_json():
            return jsonify(error="internal_error", message=message), 500
        return render_template("errors/error.html", code=500, message=message), 500
