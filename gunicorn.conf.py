"""gunicorn settings for Tsudoi: `gunicorn -c gunicorn.conf.py wsgi:app`.

The access log and the error log never show a registrant's private link: the
logger class redacts `/r/<token>` (request line, path, Referer) before writing.
Other settings may be given on the command line or in GUNICORN_CMD_ARGS.
"""
from gunicorn.glogging import Logger

from app.logs import redact

bind = "127.0.0.1:8000"
workers = 4
accesslog = "-"
errorlog = "-"


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        redact(self.access_log)
        redact(self.error_log)


logger_class = RedactingLogger

