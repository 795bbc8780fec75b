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


from app.public import lottery, views  # noqa: E402,F401
