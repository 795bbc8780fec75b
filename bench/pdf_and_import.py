"""Time and peak memory of the printable PDFs and of an import, on a temporary SQLite database.

    .venv/bin/python bench/pdf_and_import.py [--rows 2000] [--import-rows 3000]

Prints, for a roster and badges of --rows registrants, the seconds, pages, bytes and the peak
resident memory of the process so far, and the same for previewing and importing a CSV of --import-rows
rows (half with email, half without; one in three attended). Figures only, no assertion.
"""
from __future__ import annotations

import argparse
import io
import logging
import os
import resource
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def measure(label, fn):
    started = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB -> MB, the process so far
    print(f"{label:<28} {seconds:8.2f} s   process peak RSS {peak:7.1f} MB   {result}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--import-rows", type=int, default=3000)
    args = parser.parse_args()
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    tmp = tempfile.mkdtemp(prefix="tsudoi-bench-")
    os.environ.setdefault("TSUDOI_ENV", "testing")

    from app import create_app
    from app.db_types import utcnow
    from app.domain.codes import EventStatus
    from app.extensions import db
    from app.models import Registration
    from app.services import imports, pdf_exports
    from config import TestingConfig
    from tests import factories

    class Cfg(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp}/bench.sqlite3"

    app = create_app(Cfg)
    with app.app_context():
        db.create_all()
        start = utcnow() - timedelta(days=30)
        event = factories.create_event(title="ベンチマーク 髙﨑𠮷", starts_at=start, status=EventStatus.FINISHED,
                                       capacity=None, ticket_types=[("一般", None), ("学生", None)],
                                       registration_opens_at=start - timedelta(days=9),
                                       registration_closes_at=start - timedelta(hours=1))
        kana = "アイウエオカキクケコサシスセソタチツテト"
        for i in range(args.rows):
            db.session.add(Registration(
                event_id=event.id, ticket_type_id=event.ticket_types[i % 2].id, status="confirmed",
                email=f"p{i}@example.jp", email_normalized=f"p{i}@example.jp", family_name=f"髙橋{i}",
                given_name="𠮷郎", family_name_kana=kana[i % len(kana)] + "ヤマ", given_name_kana="ヨシロウ",
                organization="株式会社" + "長い会社名" * (i % 7), manage_token_hash=f"{i:064d}", created_at=start))
        db.session.commit()
        regs = db.session.scalars(db.select(Registration)).all()
        for name, writer in (("roster", pdf_exports.write_roster), ("badges", pdf_exports.write_badges)):
            def run(writer=writer):
                buf = io.BytesIO()
                pages = writer(event, regs, buf)
                return f"{pages} pages, {len(buf.getvalue()) / 1e3:.0f} kB"
            measure(f"{name} ({len(regs)} rows)", run)

        lines = ["氏名,フリガナ,会社名,メールアドレス,都道府県,組織区分,出欠"]
        for i in range(args.import_rows):
            email = f"imp{i}@example.jp" if i % 2 else ""
            lines.append(f"佐藤 {i},さとう いち,㈱テスト{i},{email},宮城,企業,{'出席' if i % 3 == 0 else ''}")
        data = ("\n".join(lines) + "\n").encode("cp932")
        target = {"title": "取り込み", "starts_at": start.isoformat(), "category": "seminar",
                  "format": "in_person", "prefecture": "04"}
        upload = imports.upload("bench.csv", data, event=None, target=target, actor=None, now=utcnow())
        db.session.commit()
        measure(f"import preview ({args.import_rows})", lambda: f"{imports.preview(upload).count('import')} to import")

        def do_import():
            result = imports.run(upload, actor=None, now=utcnow())
            db.session.commit()
            return f"{result.imported} imported, {result.attended} attended"
        measure(f"import ({args.import_rows})", do_import)


if __name__ == "__main__":
    main()
