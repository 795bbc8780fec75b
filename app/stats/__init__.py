"""Statistics for staff: one event's funnel and breakdowns, and figures by 年度 across events."""
from flask import Blueprint

bp = Blueprint("stats", __name__, url_prefix="/organizer/stats")


@bp.app_template_global()
def fiscal_year_label(fiscal_year_start: int) -> str:
    """令和3年度 (or FY2021 (Reiwa 3) in English)."""
    from app.domain.dates import fiscal_year_label as label
    from app.i18n import current_language

    return label(fiscal_year_start, current_language())


from app.stats import kpi_views, views  # noqa: E402,F401
