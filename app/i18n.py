"""Language selection and the Jinja helpers that depend on it."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app, request
from flask_babel import force_locale, get_locale
from markupsafe import Markup, escape

from app.domain import dates
from app.domain import language as language_rules
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


def remember_language(response, lang: str):
    """Keep the reader's language for a year (the language switch and `?lang=` set it)."""
    response.set_cookie(LANG_COOKIE, lang, max_age=60 * 60 * 24 * 365, samesite="Lax", httponly=True)
    return response


@contextmanager
def rendering_in(lang: str | None) -> Iterator[None]:
    """Render (mails, calendar files) in `lang`, a supported language (else the default),
    whatever the request's language, and in the jobs, which have no request."""
    supported = current_app.config["LANGUAGES"]
    with force_locale(lang if lang in supported else current_app.config["BABEL_DEFAULT_LOCALE"]):
        yield


def current_language() -> str:
    locale = get_locale()
    return locale.language if locale else "ja"


def prefecture_name(code: str | None, lang: str | None = None) -> str:
    if not code:
        return ""
    lang = lang or current_language()
    table = PREFECTURES_EN if lang == "en" else PREFECTURES
    return table.get(code, code)


def event_text(event, field: str, lang: str | None = None) -> str:
    """An event's title, summary or description as plain text for `lang` (default: the request's):
    the English one in English when there is one, else the Japanese (mails' text part, <title>, .ics)."""
    return language_rules.event_text(event, field, lang or current_language())[0]


def mark_ja(text, lang: str | None = None, *, tag: str = "span") -> Markup:
    """{{ value|ja }}: the escaped text, inside <span lang="ja"> when it is Japanese on an English page."""
    if text is None or text == "":
        return Markup("")
    if isinstance(text, Markup):
        inner = text
        plain = text.striptags()
    else:
        inner, plain = escape(str(text)), str(text)
    if language_rules.needs_ja_mark(plain, lang or current_language()):
        return Markup('<{0} lang="ja">{1}</{0}>').format(Markup(tag), inner)
    return Markup(inner)


def event_html(event, field: str = "title", *, wrap: bool = False, lang: str | None = None) -> Markup:
    """{{ event|ev('title') }}: the event's text for the page's language, escaped; the Japanese
    fallback on an English page is marked lang="ja". `wrap`: phrase-aware line breaks (titles)."""
    from app.public.text import phrase_wrap

    lang = lang or current_language()
    text, text_lang = language_rules.event_text(event, field, lang)
    inner = phrase_wrap(text) if wrap else escape(text)
    if text_lang != lang and text:
        return Markup('<span lang="{}">{}</span>').format(text_lang, inner)
    return Markup(inner)


def event_markdown(event, lang: str | None = None) -> Markup:
    """The event's description (Markdown, sanitised) for the page's language; a Japanese fallback on
    an English page comes inside <div lang="ja">."""
    lang = lang or current_language()
    text, text_lang = language_rules.event_text(event, "description", lang)
    html = render_markdown(text)
    if text_lang != lang and text:
        return Markup('<div lang="{}">{}</div>').format(text_lang, html)
    return html


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

    @app.template_filter("ev")
    def _ev(event, field="title", wrap=False):
        return event_html(event, field, wrap=wrap)

    @app.template_filter("ev_text")
    def _ev_text(event, field="title"):
        return event_text(event, field)

    @app.template_filter("ev_markdown")
    def _ev_markdown(event):
        return event_markdown(event)

    @app.template_filter("lang_attr")
    def _lang_attr(value):
        """<p{{ text|lang_attr }}>: ` lang="ja"` when the element holds Japanese on an English page."""
        plain = value.striptags() if isinstance(value, Markup) else str(value or "")
        return Markup(' lang="ja"') if language_rules.needs_ja_mark(plain, current_language()) else Markup("")

    @app.template_filter("ja")
    def _ja(value, tag="span"):
        return mark_ja(value, tag=tag)

    @app.template_filter("isodatetime")
    def _iso(value):
        return dates.to_jst(value).isoformat() if value else ""

    @app.after_request
    def _remember_language(response):
        """`?lang=en|ja` on any page is remembered (cookie): every page after it, the POSTs, their
        redirects, the confirm and manage pages, stay in that language. The API is stateless."""
        lang = request.args.get("lang")
        if (lang in current_app.config["LANGUAGES"] and not request.path.startswith("/api/")
                and request.cookies.get(LANG_COOKIE) != lang):
            remember_language(response, lang)
        return response

    @app.context_processor
    def _inject():
        return {"current_language": current_language()}
