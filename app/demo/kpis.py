"""The report's KPIs, defined on the demo data (after its events and registrants are in).

- 地域未来牽引企業のDXに係る進捗状況：地域未来牽引企業中、10%がDXを展開 — the share of a list of
  companies (here 120: some that came to the DX seminars, 塾 and 大賞, most that did not);
- 「NEXT TOHOKU MEETUPサポーターズ」による支援企業数：100社 — distinct organisations at the
  exchange events (SIer's Day, J-Startup × 地域未来牽引企業).
- イノベーション創出に向けた人材育成：50人 — people who completed the 右腕人材育成プログラム
  (6 of its 7 sessions).
"""
from __future__ import annotations

import random
from datetime import datetime

from sqlalchemy import select

from app.domain import kpi as rules
from app.domain.codes import EventCategory, RegistrationStatus
from app.domain.people import organization_key
from app.models import Event, EventSeries, Kpi, Registration
from app.services import kpis

DX_SERIES = ("tohoku-dx-seminar", "tohoku-dx-juku", "tohoku-dx-award")
#: Listed companies that did not come: names the demo's people never use.
_UNSEEN_PREFIXES = ("陸奥", "羽後", "仙北", "最上", "相馬", "二戸", "男鹿", "白河", "気仙", "本荘")
_UNSEEN_CORES = ("鋳造", "製紙", "縫製", "木工", "窯業", "酒造", "製菓", "金型", "樹脂", "鉄工", "冷凍", "製薬")
LIST_SIZE = 120
LIST_MATCHED = 14  # about 12 %: the 10 % target reached, as plausible for 令和8年度
NAMES = ("地域未来牽引企業のDXに係る進捗状況", "NEXT TOHOKU MEETUPサポーターズによる支援企業数",
         "イノベーション創出に向けた人材育成")


def reset_kpis() -> None:
    """Delete the demo's KPIs (by their names); KPIs that people defined are left alone."""
    from sqlalchemy import delete

    from app.extensions import db

    db.session.execute(delete(Kpi).where(Kpi.name.in_(NAMES)))


def load_kpis(*, now: datetime, rng: random.Random, actor=None) -> list[Kpi]:
    from app.extensions import db

    series = dict(db.session.execute(select(EventSeries.slug, EventSeries.id)).all())
    dx_series = [series[s] for s in DX_SERIES if s in series]
    seen = db.session.scalars(
        select(Registration.organization).distinct().join(Event, Event.id == Registration.event_id)
        .where(Event.series_id.in_(dx_series), Registration.status == RegistrationStatus.CONFIRMED,
               Registration.organization_type == "company", Registration.organization != "")
        .order_by(Registration.organization)).all()
    came = rng.sample(list(seen), min(LIST_MATCHED, len(seen)))
    keys = {organization_key(name) for name in seen}
    unseen = [f"株式会社{p}{c}" for p in _UNSEEN_PREFIXES for c in _UNSEEN_CORES]
    unseen = [name for name in unseen if organization_key(name) not in keys]
    listed = came + rng.sample(unseen, LIST_SIZE - len(came))
    rng.shuffle(listed)
    targets = [rules.TargetRow(i + 2, name, "") for i, name in enumerate(listed)]

    exchange = db.session.scalars(select(Event.id).where(Event.category == EventCategory.EXCHANGE)).all()
    made = [
        kpis.save(None, {
            "name": NAMES[0], "fiscal_year_from": 2021, "fiscal_year_to": 2026,
            "description": "地域未来牽引企業中、10%がDXを展開（DXセミナー・DX塾・DX大賞への参加で把握）",
            "measure": rules.TARGET_SHARE, "target": 10, "series_ids": dx_series, "event_ids": [],
        }, actor=actor, now=now, targets=targets, target_list_name="地域未来牽引企業一覧（デモ）.csv"),
        kpis.save(None, {
            "name": NAMES[1], "fiscal_year_from": 2021, "fiscal_year_to": 2026,
            "description": "プラットフォームに参画するサポーターズによる支援企業数：100社（交流イベントへの参加企業・団体）",
            "measure": rules.ORGANIZATIONS, "target": 100, "series_ids": [], "event_ids": list(exchange),
        }, actor=actor, now=now),
        kpis.save(None, {
            "name": NAMES[2], "fiscal_year_from": 2020, "fiscal_year_to": 2026,
            "description": "右腕人材育成プログラムの修了者（全7回のうち6回以上出席）：50人",
            "measure": rules.COMPLETERS, "target": 50,
            "series_ids": [series[s] for s in ("migiude-program",) if s in series], "event_ids": [],
        }, actor=actor, now=now),
    ]
    return made
