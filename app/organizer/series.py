"""Organizer: a series' editions (the same seminar in several places or years) and their total."""
from __future__ import annotations

from flask import render_template
from flask_login import current_user

from app.auth.permissions import staff_required
from app.extensions import db
from app.models import EventSeries
from app.organizer import bp
from app.services import series as series_service


@bp.route("/series/<int:series_id>")
@staff_required
def series_detail(series_id: int):
    series = db.get_or_404(EventSeries, series_id)
    figures = series_service.figures(series)
    public = any(row.event.status != "draft" for row in figures.editions)  # its public page exists
    return render_template("organizer/series/detail.html", series=series, figures=figures,
                           public=public, can_edit=current_user.can_edit)
