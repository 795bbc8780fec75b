"""Published results (受賞結果) on the public pages: `public_results(event)` in every template.

None before the organizers publish them (app.services.results), so nothing shows.
"""
from __future__ import annotations

from app.public import bp


@bp.app_context_processor
def _results_helpers():
    from app.services.results import public_results

    return {"public_results": public_results}
