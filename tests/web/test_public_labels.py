"""The label filters every template can use (registered by app.public)."""
from __future__ import annotations

from flask import render_template_string
from flask_babel import refresh

from app.labels import CATEGORY_LABELS, choices, label


def test_label_filters_in_japanese_and_english(app):
    source = ("{{ 'seminar'|category_label }}|{{ 'online'|format_label }}|{{ 'postponed'|event_status_label }}|"
              "{{ 'lottery'|admission_label }}|{{ 'municipality'|organization_type_label }}|"
              "{{ 'waitlisted'|registration_status_label }}|{{ 'waitlist'|availability_label }}|"
              "{{ 'not_yet_open'|window_label }}|{{ 'full'|badge_label }}|{{ 'unknown'|category_label }}|"
              "{{ none|category_label }}")
    with app.test_request_context("/"):
        assert render_template_string(source) == (
            "セミナー|オンライン|延期|抽選|自治体|キャンセル待ち|キャンセル待ち受付中|受付開始前|満席|unknown|")
    with app.test_request_context("/?lang=en"):
        refresh()  # the locale is cached on the app context the fixture keeps open
        assert render_template_string(source) == (
            "Seminar|Online|Postponed|Lottery|Municipality|On the waiting list|Full: waiting list open|"
            "Registration not yet open|Full|unknown|")


def test_label_and_choices_for_python_code(app):
    with app.test_request_context("/"):
        assert label(CATEGORY_LABELS, "symposium") == "シンポジウム"
        pairs = [(v, str(t)) for v, t in choices(CATEGORY_LABELS)]
        assert pairs[0] == ("seminar", "セミナー")
        assert len(pairs) == len(CATEGORY_LABELS)
