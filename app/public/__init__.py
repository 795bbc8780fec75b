from flask import Blueprint

bp = Blueprint("public", __name__)


@bp.record_once
def _register_template_filters(state) -> None:
    """Filters for every template.

    Label filters: {{ event.category|category_label }}, format_label, event_status_label,
    admission_label, organization_type_label, registration_status_label, availability_label,
    window_label, badge_label (see app.labels.FILTERS). And shift_headings, which moves the
    headings of sanitised HTML down a level or more so a description keeps the page's outline.
    """
    from app import labels
    from app.public.html import shift_headings

    for name, table in labels.FILTERS.items():
        state.app.jinja_env.filters[name] = (lambda t: lambda value: labels.label(t, value))(table)
    state.app.jinja_env.filters["shift_headings"] = shift_headings
    state.app.jinja_env.filters["registrant_name"] = labels.registrant_name

    from app.domain.addresses import address_line
    from app.i18n import current_language
    from app.public.text import phrase_wrap

    def _address_line(event) -> str:
        """{{ event|address_line }}: 「宮城県仙台市…」 once (app.domain.addresses)."""
        return address_line(event.prefecture, event.address, lang=current_language())

    state.app.jinja_env.filters["address_line"] = _address_line
    state.app.jinja_env.filters["phrase_wrap"] = phrase_wrap

    from app.domain.people import format_phone

    # {{ r.phone|phone }}: 022-221-4876. Every page that shows a phone number uses it
    # (exports keep the stored digits: see README, "Phone numbers").
    state.app.jinja_env.filters["phone"] = format_phone


from app.public import identity, lottery, results, views  # noqa: E402,F401
