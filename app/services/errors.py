"""Errors raised by services; views and the API turn them into messages and status codes."""
from __future__ import annotations


class ServiceError(Exception):
    """A rule refused the change. `code` is stable (the API returns it); `message` is for people."""

    code = "refused"

    def __init__(self, message: str = "", code: str | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class Full(ServiceError):
    """No seat: a full 参加枠 (app.services.registrations) or a full day (session_choices.DayFull)."""

    code = "full"


class ValidationError(ServiceError):
    """Input did not validate. `errors` maps field names to messages."""

    code = "validation_error"

    def __init__(self, errors: dict[str, list[str]], message: str = ""):
        super().__init__(message or "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors
