"""The registrant's private link (/r/<token>): derived, never stored.

A registration stores a random per-registration salt and the SHA-256 of its
token. The token itself is derived whenever a link must be rendered:

    key   = HMAC-SHA256(SECRET_KEY, "tsudoi manage-link key")
    token = urlsafe-base64(HMAC-SHA256(key, "manage:<salt>"))   (43 characters)

so a copy of the database (or a log of its statements) holds no usable link,
and the link works without anyone keeping it. A request is matched by the
SHA-256 of the token it carries, which needs no key: links already mailed keep
working when SECRET_KEY changes; only rendering a link then needs a new salt
(see `Registration.link_token`).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

MAX_TOKEN_LENGTH = 64
_KEY_PURPOSE = b"tsudoi manage-link key"


def new_salt() -> str:
    """A random per-registration salt (128 bits, 22 characters)."""
    return secrets.token_urlsafe(16)


def successor_salt(secret_key: str | bytes, registration_id: int, old_hash: str) -> str:
    """The salt of the new link of a row whose link cannot be derived (migrated, or SECRET_KEY changed).

    Deterministic, so that two processes giving the same row a new link at once (two mail
    workers, say) give it the same one: neither mail carries a link the other overwrote.
    """
    mac = hmac.new(_key(secret_key), f"successor:{registration_id}:{old_hash}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).decode("ascii")[:22]


def _key(secret_key: str | bytes) -> bytes:
    if isinstance(secret_key, str):
        secret_key = secret_key.encode("utf-8")
    return hmac.new(secret_key, _KEY_PURPOSE, hashlib.sha256).digest()


def derive_token(secret_key: str | bytes, salt: str) -> str:
    mac = hmac.new(_key(secret_key), f"manage:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    """What is stored and looked up: the SHA-256 (hex) of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def plausible(token: str | None) -> bool:
    """Worth a lookup: not empty, not absurdly long."""
    return bool(token) and len(token) <= MAX_TOKEN_LENGTH


_REDACTED = "[redacted]"
# /r/<token> (and the join link /j/<token>) anywhere in a log line: a path, a request line, a full URL, a Referer.
_PATH_RE = re.compile(r"(/[rj]/)[^/?#\s\"']+")


def redact_path(text: str) -> str:
    """`/r/<token>...` and `/j/<token>` with the token replaced, for logs (access and error lines)."""
    return _PATH_RE.sub(r"\1" + _REDACTED, text)



def new_link_columns(secret_key: str | bytes) -> dict[str, str]:
    """A new registration's link: its salt and the hash of its token (Registration columns)."""
    salt = new_salt()
    return {"manage_salt": salt, "manage_token_hash": hash_token(derive_token(secret_key, salt))}
