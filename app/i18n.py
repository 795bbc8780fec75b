"""Language selection and the Jinja helpers that depend on it."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import get_locale
from markupsafe import Markup

from app.domain import dates
from app.domain.codes import PREFECTURES, PREFECTURES_EN

LANG_COOKIE = "lang"


def select_locale() -> str:
    supported = current_app.config["LANGUAGES"]
    lang = request.args.get("lang") if request else None
    if lang in supported:
        return lang
    if request and request.path.startswith("/api/"):
        # API clients say what they read with Accept-Language (Japanese when they do not).
        return request.accept_languages.best_match(supported) or current_app.config["BABEL_DEFAULT_LOCALE"]
    cookie = request.cookies.get(LANG_COOKIE) if request else None
    if cookie in supported:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "ja"


def prefecture_name(code: str | None, lang: str | None = None) -> str:
    if not code:
        return ""
    lang = lang or current_language()
    table = PREFECTURES_EN if lang == "en" else PREFECTURES
    return table.get(code, code)


def render_markdown(text: str) -> Markup:
    import markdown
    import nh3

    html = markdown.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow"))


def init_app(app: Flask) -> None:
    @app.template_filter("jdate")
    def _jdate(value):
        return dates.format_date(value, current_language()) if value else ""

    @app.template_filter("jdatetime")
    def _jdatetime(value):
        return dates.format_datetime(value, current_language()) if value else ""

    @app.template_filter("jtime")
    def _jtime(value):
        return dates.format_time(value) if value else ""

    @app.template_filter("jrange")
    def _jrange(start, end=None):
        return dates.format_range(start, end, current_language()) if start else ""

    @app.template_filter("markdown")
    def _markdown(text):
        return render_markdown(text)

    @app.template_filter("prefecture")
    def _prefecture(code):
        return prefecture_name(code)

    @app.template_filter("isodatetime")
    def _iso(value):
        return dates.to_jst(value).isoformat() if value else ""

    @app.context_processor
    def _inject():
        return {"current_language": current_language()}
