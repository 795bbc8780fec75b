"""Log lines without secrets: the private link's token never reaches a log.

`RedactingFilter` rewrites a record's message with `/r/<token>` replaced by
`/r/[redacted]`. It is put on the loggers that write request lines and errors:
werkzeug's (the development server), the app's, and gunicorn's access and error
logs (also by `gunicorn.conf.py`, whose logger class adds it). SQL parameters
are kept out of error messages by the engine option `hide_parameters`.
"""
from __future__ import annotations

import logging

from app.domain.manage_links import redact_path

REDACTED_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error")


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's business
            return True
        redacted = redact_path(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_FILTER = RedactingFilter()


def redact(logger: logging.Logger) -> None:
    """Add the filter to `logger` (once)."""
    if not any(isinstance(f, RedactingFilter) for f in logger.filters):
        logger.addFilter(_FILTER)


def init_app(app) -> None:
    for name in REDACTED_LOGGERS:
        redact(logging.getLogger(name))
    redact(app.logger)
