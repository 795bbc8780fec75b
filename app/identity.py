"""The bureau's identity, read from ORG_* environment variables (fail closed, like config.py).

Organisation name, logo, favicon, colours and the contact details shown in the footer and on
/privacy, /accessibility and /contact. Every ORG_* variable must be one of `VARIABLES`: a
misspelt one (ORG_EMIAL) refuses to start rather than silently showing no contact address.
Colours default to the Digital Agency design system's tokens (static/vendor/
digital-go-jp-design-tokens/tokens.css, from the npm package @digital-go-jp/design-tokens) and
may be given as a token name (`blue-900`) or as `#rrggbb`; a colour too pale for white text or
for the focus ring drawn on it refuses to start too.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from config import BASE_DIR, ConfigError

STATIC_DIR = BASE_DIR / "static"
TOKENS_CSS = STATIC_DIR / "vendor" / "digital-go-jp-design-tokens" / "tokens.css"
PREFIX = "ORG_"
#: The focus ring drawn on the header (static/style.css --focus-on-dark): it must stay ≥ 3:1 on ORG_COLOR.
FOCUS_ON_DARK = "#ffbf47"
FAVICON_TYPES = {".ico": "image/x-icon", ".svg": "image/svg+xml", ".png": "image/png"}
LOGO_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".webp"}

#: variable -> (default, what it is). README's Configuration lists the same.
VARIABLES: dict[str, tuple[str, str]] = {
    "ORG_NAME": ("", "organisation name (Japanese); empty shows 「Tsudoi」"),
    "ORG_NAME_EN": ("", "organisation name in English (English pages); empty uses ORG_NAME"),
    "ORG_URL": ("", "the organisation's own web site (https://...), linked from the footer"),
    "ORG_LOGO": ("identity/logo.svg", "logo file under static/ (svg, png, jpg, webp)"),
    "ORG_FAVICON": ("identity/favicon.svg", "favicon file under static/ (ico, svg, png)"),
    "ORG_COLOR": ("blue-900", "main colour: a design token name or #rrggbb"),
    "ORG_COLOR_DARK": ("blue-1000", "hover colour: a design token name or #rrggbb"),
    "ORG_EMAIL": ("", "contact e-mail address"),
    "ORG_PHONE": ("", "contact telephone number"),
    "ORG_ADDRESS": ("", "postal address"),
    "ORG_HOURS": ("", "when the telephone is answered"),
    "ORG_RETENTION_MONTHS": ("12", "months registrants' personal data is kept after an event"),
    "ORG_A11Y_TESTED_ON": ("", "date (YYYY-MM-DD) of the last accessibility test"),
    "ORG_A11Y_RESULT": ("", "result of that test, one line"),
}

_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


@dataclass(frozen=True)
class Identity:
    name: str
    name_en: str
    url: str
    logo: str
    favicon: str
    color: str
    color_dark: str
    email: str
    phone: str
    address: str
    hours: str
    retention_months: int
    a11y_tested_on: date | None
    a11y_result: str

    @property
    def favicon_type(self) -> str:
        return FAVICON_TYPES[Path(self.favicon).suffix.lower()]

    def display_name(self, lang: str) -> str:
        if lang == "en" and self.name_en:
            return self.name_en
        return self.name

    def theme_css(self) -> str:
        """The colours as CSS custom properties (served as /theme.css: no inline style under the CSP)."""
        return f":root {{ --brand: {self.color}; --brand-dark: {self.color_dark}; }}\n"


def design_tokens(path: Path = TOKENS_CSS) -> dict[str, str]:
    """The vendored design tokens' primitive colours: {'blue-900': '#0017c1', ...}."""
    text = path.read_text(encoding="utf-8")
    return {name: value.lower() for name, value in
            re.findall(r"--color-primitive-([\w-]+)\s*:\s*(#[0-9a-fA-F]{6})\s*;", text)}


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i:i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _colour(variable: str, raw: str, tokens: dict[str, str]) -> str:
    value = raw.strip()
    if _HEX.fullmatch(value):
        colour = value.lower()
    elif value in tokens:
        colour = tokens[value]
    else:
        raise ConfigError(f"{variable}={raw!r} is neither #rrggbb nor a design token name such as blue-900.")
    if contrast(colour, "#ffffff") < 4.5:
        raise ConfigError(f"{variable}={raw!r} is too pale: white text on it needs 4.5:1 "
                          f"(it has {contrast(colour, '#ffffff'):.2f}:1).")
    if contrast(colour, FOCUS_ON_DARK) < 3:
        raise ConfigError(f"{variable}={raw!r}: the focus ring ({FOCUS_ON_DARK}) on it needs 3:1 "
                          f"(it has {contrast(colour, FOCUS_ON_DARK):.2f}:1).")
    return colour


def _static_file(variable: str, raw: str, suffixes) -> str:
    value = raw.strip().lstrip("/")
    path = (STATIC_DIR / value).resolve()
    if not path.is_relative_to(STATIC_DIR.resolve()) or not path.is_file():
        raise ConfigError(f"{variable}={raw!r}: no such file under static/.")
    if path.suffix.lower() not in suffixes:
        raise ConfigError(f"{variable}={raw!r}: use one of {', '.join(sorted(suffixes))}.")
    return value


def _one_line(variable: str, raw: str) -> str:
    value = raw.strip()
    if any(ord(c) < 32 for c in value) or len(value) > 300:
        raise ConfigError(f"{variable} must be one line of at most 300 characters.")
    return value


def identity_from_env(environ: Mapping[str, str]) -> Identity:
    """Read and check every ORG_* variable; raise ConfigError on an unknown or bad one."""
    unknown = sorted(k for k in environ if k.startswith(PREFIX) and k not in VARIABLES)
    if unknown:
        raise ConfigError(f"Unknown setting(s) {', '.join(unknown)}: the known ones are {', '.join(VARIABLES)}.")
    values = {k: environ.get(k) or default for k, (default, _) in VARIABLES.items()}
    for k in ("ORG_NAME", "ORG_NAME_EN", "ORG_URL", "ORG_EMAIL", "ORG_PHONE", "ORG_ADDRESS", "ORG_HOURS",
              "ORG_A11Y_RESULT"):
        values[k] = _one_line(k, values[k])
    if values["ORG_URL"] and not re.fullmatch(r"https?://[^\s\"'<>]+", values["ORG_URL"]):
        raise ConfigError(f"ORG_URL={values['ORG_URL']!r} must be an http(s) address.")
    if values["ORG_EMAIL"] and not _EMAIL.fullmatch(values["ORG_EMAIL"]):
        raise ConfigError(f"ORG_EMAIL={values['ORG_EMAIL']!r} is not an e-mail address.")
    try:
        months = int(values["ORG_RETENTION_MONTHS"])
    except ValueError:
        months = 0
    if not 1 <= months <= 120:
        raise ConfigError("ORG_RETENTION_MONTHS must be a whole number of months from 1 to 120.")
    tested_on = None
    if values["ORG_A11Y_TESTED_ON"]:
        try:
            tested_on = date.fromisoformat(values["ORG_A11Y_TESTED_ON"].strip())
        except ValueError:
            raise ConfigError(f"ORG_A11Y_TESTED_ON={values['ORG_A11Y_TESTED_ON']!r} must be a date, YYYY-MM-DD.") from None
    tokens = design_tokens()
    return Identity(
        name=values["ORG_NAME"],
        name_en=values["ORG_NAME_EN"],
        url=values["ORG_URL"],
        logo=_static_file("ORG_LOGO", values["ORG_LOGO"], LOGO_SUFFIXES),
        favicon=_static_file("ORG_FAVICON", values["ORG_FAVICON"], FAVICON_TYPES),
        color=_colour("ORG_COLOR", values["ORG_COLOR"], tokens),
        color_dark=_colour("ORG_COLOR_DARK", values["ORG_COLOR_DARK"], tokens),
        email=values["ORG_EMAIL"],
        phone=values["ORG_PHONE"],
        address=values["ORG_ADDRESS"],
        hours=values["ORG_HOURS"],
        retention_months=months,
        a11y_tested_on=tested_on,
        a11y_result=values["ORG_A11Y_RESULT"],
    )


def init_app(app) -> None:
    """app.config["IDENTITY"] (a test may pass its own Identity or a dict of ORG_* values)."""
    import os

    given = app.config.get("IDENTITY")
    if isinstance(given, Identity):
        identity = given
    elif isinstance(given, Mapping):
        identity = identity_from_env(given)
    else:
        identity = identity_from_env(os.environ)
    app.config["IDENTITY"] = identity

    @app.context_processor
    def _identity():
        from flask import current_app

        from app.i18n import current_language

        current = current_app.config["IDENTITY"]
        return {"identity": current, "org_name": current.display_name(current_language())}
