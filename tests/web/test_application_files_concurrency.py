"""Many uploads at once for the same applications, over HTTP (the API and the private page, threads):
the per-application file count is never passed, nothing refused is kept, and no file is left on disk
without its row (issue 11).

On PostgreSQL the uploads really run side by side: they queue on the registration's row lock
(app.services.locks) and each counts the files only after it holds it. On SQLite each one holds the
database's write lock from its first statement (app.database), so they run one after another.
"""
from __future__ import annotations

import hashlib
import io
import os

import pytest
import requests
from sqlalchemy import func, select

from app.extensions import db
from app.models import ApplicationFile, AuditLog
from app.services import applications as service
from app.urls import manage_token
from tests import factories
from tests.concurrency import fire_at_once

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200
MAX_FILES = 3
CLIENTS = 8
PER_APPLICATION = 14  # uploads fired at each application


@pytest.fixture
def files_dir(app, tmp_path):
    """A directory of this test's own: whatever is on disk afterwards was written by these uploads."""
    path = tmp_path / "application-files"
    app.config["APPLICATION_FILES_DIR"] = str(path)
    return path


def _award():
    return factories.create_event(
        title="TOHOKU DX大賞", ticket_types=[("製品・サービス部門", None), ("業務プロセス部門", None)],
        accepts_applications=True, application_files_allowed=True, application_file_max_mb=1,
        application_file_max_count=MAX_FILES, application_file_types=["pdf"])


def _payloads(registration, token: str) -> list[dict]:
    """Distinct PDFs (so each kept file can be told apart), a few refused kinds, and one too large; through
    the API and the private page alike."""
    out = []
    for i in range(PER_APPLICATION):
        data = PDF + f"% upload {registration.id}-{i}\n".encode()
        route = "api" if i % 2 else "page"
        if i % 5 == 4:
            data = EXE + bytes([i])  # a program: refused by its content, whatever the count
        if i == PER_APPLICATION - 1:
            data = PDF + b"0" * (1024 * 1024)  # past the event's 1 MB
        out.append({"registration_id": registration.id, "token": token, "data": data, "route": route,
                    "name": f"応募書類{i}.pdf"})
    return out


def _send(base: str, payload: dict) -> tuple[dict, int, str]:
    files = {"file": (payload["name"], payload["data"], "application/pdf")}
    if payload["route"] == "api":
        response = requests.post(f"{base}/api/v1/registrations/{payload['registration_id']}/files",
                                 data={"manage_token": payload["token"]}, files=files, timeout=120)
        code = response.json().get("error", "") if response.status_code != 201 else "added"
    else:
        response = requests.post(f"{base}/r/{payload['token']}/files", files=files, timeout=120,
                                 allow_redirects=False)
        code = "added" if response.status_code == 303 else str(response.status_code)
    return payload, response.status_code, code


def test_simultaneous_uploads_never_pass_the_file_limit_and_leave_no_orphan(live_server, files_dir):
    event = _award()
    applications = [factories.register(event, 600 + i, ticket_type_id=event.ticket_types[i % 2].id).registration
                    for i in range(2)]
    payloads = [p for r in applications for p in _payloads(r, manage_token(r))]
    ids = [r.id for r in applications]
    db.session.rollback()  # leave the database to the server's threads

    answers = fire_at_once(lambda p: _send(live_server.url, p), payloads, CLIENTS)

    for registration_id in ids:
        mine = [(p, status, code) for p, status, code in answers if p["registration_id"] == registration_id]
        added = [p for p, _status, code in mine if code == "added"]
        assert len(added) == MAX_FILES, mine
        refused = {(p["route"], status, code) for p, status, code in mine if code != "added"}
        # what a refused upload is told: too many (API 409, page 422), a refused kind, too large
        assert refused <= {("api", 409, "too_many_files"), ("page", 422, "422"), ("api", 415, "file_type_refused"),
                           ("api", 413, "file_too_large"), ("page", 413, "413")}, refused
        assert all(p["data"].startswith(PDF) and len(p["data"]) < 1024 * 1024 for p in added)

        kept = db.session.scalars(select(ApplicationFile).where(ApplicationFile.registration_id == registration_id)
                                  ).all()
        assert len(kept) == MAX_FILES
        assert sorted(f.sha256 for f in kept) == sorted(hashlib.sha256(p["data"]).hexdigest() for p in added)
        audited = db.session.scalar(select(func.count()).select_from(AuditLog).where(
            AuditLog.action == "application.file_added", AuditLog.registration_id == registration_id))
        assert audited == MAX_FILES

    # on disk: exactly the kept files, each with the content its row says; nothing of a refused upload
    rows = db.session.scalars(select(ApplicationFile)).all()
    assert sorted(os.listdir(files_dir)) == sorted(f.stored_name for f in rows)
    for item in rows:
        with open(service.file_path(item), "rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == item.sha256


class DatabaseGone(RuntimeError):
    """Stands for the database failing mid-request (a dropped connection, a failed commit)."""


@pytest.mark.parametrize("route", ["api", "page"])
@pytest.mark.parametrize("failing", ["commit", "audit"])
def test_an_upload_whose_transaction_fails_leaves_no_file_on_disk(app, client, files_dir, monkeypatch, route, failing):
    event = _award()
    registration = factories.register(event, 650).registration
    payload = _payloads(registration, manage_token(registration))[0] | {"route": route}
    registration_id = registration.id

    def boom(*args, **kwargs):
        raise DatabaseGone(failing)

    if failing == "commit":
        monkeypatch.setattr(db.session, "commit", boom)
    else:
        monkeypatch.setattr(service.audit, "record", boom)
    files = {"file": (io.BytesIO(payload["data"]), payload["name"])}
    with pytest.raises(DatabaseGone):
        if route == "api":
            client.post(f"/api/v1/registrations/{registration_id}/files", content_type="multipart/form-data",
                        data={"manage_token": payload["token"], **files})
        else:
            client.post(f"/r/{payload['token']}/files", data=files, content_type="multipart/form-data")
    monkeypatch.undo()
    db.session.rollback()

    assert db.session.scalar(select(func.count()).select_from(ApplicationFile)) == 0
    assert not files_dir.exists() or os.listdir(files_dir) == []
