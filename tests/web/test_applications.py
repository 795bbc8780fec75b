"""Applications (DX大賞): files refused by size and by type, served to organizers only; decisions;
the applicant edits until the deadline; reviewers see only what is assigned to them; the API."""
from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.db_types import utcnow
from app.domain.codes import Role
from app.extensions import db
from app.models import ApplicationFile, AuditLog, Registration
from app.services import applications as service
from app.urls import manage_token
from tests import factories

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200


def docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def award(app):
    event = factories.create_event(
        title="TOHOKU DX大賞", ticket_types=[("製品・サービス部門", None), ("業務プロセス部門", None), ("支援部門", None)],
        accepts_applications=True, application_files_allowed=True, application_file_max_mb=1,
        application_file_max_count=2, application_file_types=["pdf", "office"], publishes_results=True)
    return event


def apply(event, n=None, **overrides):
    registration = factories.register(event, n, **overrides).registration
    return registration, manage_token(registration)


def upload(client, token, data: bytes, name: str):
    return client.post(f"/r/{token}/files", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_a_file_too_large_or_of_the_wrong_type_is_refused_next_to_the_field(client, award):
    registration, token = apply(award)
    too_large = upload(client, token, PDF + b"0" * (1024 * 1024), "応募書類.pdf")
    assert too_large.status_code == 422
    assert "1 MB" in too_large.get_data(as_text=True) and 'id="file-error"' in too_large.get_data(as_text=True)
    far_too_large = upload(client, token, PDF + b"0" * (3 * 1024 * 1024), "応募書類.pdf")
    assert far_too_large.status_code == 413 and 'id="file-error"' in far_too_large.get_data(as_text=True)
    renamed_exe = upload(client, token, EXE, "応募書類.pdf")
    assert renamed_exe.status_code == 422
    page = renamed_exe.get_data(as_text=True)
    assert 'id="file-error"' in page and "PDF" in page
    image = upload(client, token, b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "logo.png")  # images not allowed here
    assert image.status_code == 422
    assert db.session.scalars(select(ApplicationFile)).all() == []


def test_an_allowed_file_is_kept_outside_the_web_root_and_only_organizers_download_it(app, client, award, login):
    registration, token = apply(award)
    response = upload(client, token, PDF, "../事業概要.pdf")
    assert response.status_code == 303
    item = db.session.scalars(select(ApplicationFile)).one()
    assert item.kind == "pdf" and item.original_name == "事業概要.pdf" and item.size == len(PDF)
    path = service.file_path(item)
    assert path.startswith(app.config["APPLICATION_FILES_DIR"]) and open(path, "rb").read() == PDF
    assert "事業概要.pdf" in client.get(f"/r/{token}/files").get_data(as_text=True)
    url = f"/organizer/applications/files/{item.id}"
    # anonymously (even holding the applicant's link): to the sign-in page, never the file
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert client.get(f"/r/{token}/files/{item.id}").status_code == 404
    viewer = factories.create_organizer(role=Role.VIEWER)
    login(viewer)
    assert client.get(url).status_code == 403
    client.post("/logout")
    organizer = factories.create_organizer()
    login(organizer)
    download = client.get(url)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "application.file_downloaded")) is not None


def test_count_limit_and_removal_with_a_confirmation(client, award):
    registration, token = apply(award)
    assert upload(client, token, PDF, "a.pdf").status_code == 303
    assert upload(client, token, docx(), "b.docx").status_code == 303
    third = upload(client, token, PDF, "c.pdf")
    assert third.status_code == 422
    files = db.session.scalars(select(ApplicationFile).order_by(ApplicationFile.id)).all()
    assert [f.kind for f in files] == ["pdf", "docx"]
    confirm = client.get(f"/r/{token}/files/{files[0].id}/remove")
    assert confirm.status_code == 200 and "a.pdf" in confirm.get_data(as_text=True)
    assert len(service.files_of(registration.id)) == 2  # nothing removed by looking
    path = service.file_path(files[0])
    assert client.post(f"/r/{token}/files/{files[0].id}/remove").status_code == 303
    assert [f.original_name for f in service.files_of(registration.id)] == ["b.docx"]
    import os
    assert not os.path.exists(path)


def test_the_applicant_edits_and_uploads_until_the_deadline_only(client, award):
    registration, token = apply(award, answers={})
    edit = client.post(f"/r/{token}/edit", data={**_edit_data(registration), "department": "経営企画部"})
    assert edit.status_code == 303
    assert db.session.get(Registration, registration.id).department == "経営企画部"
    award.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    closed = client.post(f"/r/{token}/edit", data={**_edit_data(registration), "department": "総務部"})
    assert closed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Registration, registration.id).department == "経営企画部"
    late = upload(client, token, PDF, "late.pdf")
    assert late.status_code == 422 and 'id="file-error"' in late.get_data(as_text=True)
    assert db.session.scalars(select(ApplicationFile)).all() == []
    manage = client.get(f"/r/{token}?lang=en").get_data(as_text=True)
    assert "Change my details" not in manage


def _edit_data(registration):
    return {name: getattr(registration, name) or "" for name in (
        "family_name", "given_name", "family_name_kana", "given_name_kana", "phone", "organization",
        "department", "job_title", "organization_type", "prefecture", "corporate_number")}


def test_counts_per_category_and_an_audited_decision(client, award, login):
    for _n, tt in enumerate([0, 0, 1, 2, 2, 2]):
        apply(award, ticket_type_id=award.ticket_types[tt].id)
    first = db.session.scalars(select(Registration).order_by(Registration.id)).first()
    organizer = factories.create_organizer()
    login(organizer)
    page = client.get(f"/organizer/events/{award.id}/applications").get_data(as_text=True)
    assert f'data-category="{award.ticket_types[2].id}"' in page
    counts = {c.ticket_type.name: c.total for c in service.counts_per_category(award)}
    assert counts == {"製品・サービス部門": 2, "業務プロセス部門": 1, "支援部門": 3}
    response = client.post(f"/organizer/events/{award.id}/applications/{first.id}/decision",
                           data={"status": "shortlisted"})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(Registration, first.id).application_status == "shortlisted"
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "application.status_changed"))
    assert entry.actor_id == organizer.id and entry.data == {"from": None, "to": "shortlisted"}
    counts = {c.ticket_type.name: c.shortlisted for c in service.counts_per_category(award)}
    assert counts["製品・サービス部門"] == 1
    client.post("/logout")
    login(factories.create_organizer(role=Role.VIEWER))
    assert client.post(f"/organizer/events/{award.id}/applications/{first.id}/decision",
                       data={"status": "awarded"}).status_code == 403


def test_a_reviewer_sees_and_scores_only_what_is_assigned(client, award, login):
    mine, _t = apply(award)
    other, _t2 = apply(award)
    reviewer = factories.create_organizer(role=Role.REVIEWER)
    someone = factories.create_organizer(role=Role.REVIEWER)
    now = utcnow()
    criterion = service.add_criterion(award, "革新性", 10, now=now, actor=None)
    mine_assignment = service.assign(mine, reviewer, now=now, actor=None)
    other_assignment = service.assign(other, someone, now=now, actor=None)
    item = service.add_file(other, io.BytesIO(PDF), "other.pdf", now=now, actor=None)
    db.session.commit()
    login(reviewer)
    assert client.get("/organizer/").headers["Location"].endswith("/organizer/reviews")
    listing = client.get("/organizer/reviews").get_data(as_text=True)
    assert mine.organization in listing and other.organization not in listing
    assert client.get(f"/organizer/reviews/{other_assignment.id}").status_code == 404
    assert client.get(f"/organizer/events/{award.id}/applications").status_code == 403
    assert client.get(f"/organizer/events/{award.id}/applications/{other.id}").status_code == 403
    assert client.get(f"/organizer/applications/files/{item.id}").status_code == 403
    bad = client.post(f"/organizer/reviews/{mine_assignment.id}", data={f"score_{criterion.id}": "11"})
    assert bad.status_code == 200 and f"score_{criterion.id}-error" in bad.get_data(as_text=True)
    good = client.post(f"/organizer/reviews/{mine_assignment.id}",
                       data={f"score_{criterion.id}": "8", "comment": "地域への波及効果が大きい"})
    assert good.status_code == 303
    db.session.expire_all()
    assert db.session.get(type(mine_assignment), mine_assignment.id).scores == {str(criterion.id): 8}


# --- the API ---------------------------------------------------------------------------


def test_api_category_names_the_division_and_files_go_through_the_api(client, award):
    body = factories.registration_data(award, 901, category="業務プロセス部門", public_name_consent=True)
    del body["ticket_type_id"]
    created = client.post(f"/api/v1/events/{award.id}/registrations", json=body)
    assert created.status_code == 201, created.json
    registration = db.session.get(Registration, created.json["id"])
    assert registration.ticket_type.name == "業務プロセス部門" and registration.public_name_consent
    unknown = client.post(f"/api/v1/events/{award.id}/registrations",
                          json={**body, "email": "x@example.jp", "category": "存在しない部門"})
    assert unknown.status_code == 422 and "category" in unknown.json["errors"]

    url = f"/api/v1/registrations/{registration.id}/files"
    token = created.json["manage_token"]
    assert client.post(url, data={"file": (io.BytesIO(PDF), "a.pdf")},
                       content_type="multipart/form-data").status_code == 401
    exe = client.post(url, data={"manage_token": token, "file": (io.BytesIO(EXE), "a.pdf")},
                      content_type="multipart/form-data")
    assert exe.status_code == 415 and exe.json["error"] == "file_type_refused"
    big = client.post(url, data={"manage_token": token, "file": (io.BytesIO(PDF + b"0" * (1024 * 1024)), "a.pdf")},
                      content_type="multipart/form-data")
    assert big.status_code == 413 and big.json["error"] == "file_too_large"
    ok = client.post(url, data={"manage_token": token, "file": (io.BytesIO(PDF), "計画書.pdf")},
                     content_type="multipart/form-data")
    assert ok.status_code == 201 and ok.json["kind"] == "pdf" and ok.json["name"] == "計画書.pdf"

    # listing and download: organizers only
    assert client.get(url).status_code == 401
    viewer = factories.create_api_token(factories.create_organizer(role=Role.VIEWER))
    assert client.get(url, headers={"Authorization": f"Bearer {viewer}"}).status_code == 403
    organizer = factories.create_api_token(factories.create_organizer())
    listed = client.get(url, headers={"Authorization": f"Bearer {organizer}"})
    assert listed.status_code == 200 and [f["name"] for f in listed.json["files"]] == ["計画書.pdf"]
    file_url = f"{url}/{ok.json['id']}"
    assert client.get(file_url).status_code == 401
    assert client.get(file_url, headers={"Authorization": f"Bearer {viewer}"}).status_code == 403
    got = client.get(file_url, headers={"Authorization": f"Bearer {organizer}"})
    assert got.status_code == 200 and got.data == PDF and got.headers["X-Content-Type-Options"] == "nosniff"
    counts = client.get(f"/api/v1/events/{award.id}/applications", headers={"Authorization": f"Bearer {organizer}"})
    assert {c["category"]: c["applications"] for c in counts.json["categories"]}["業務プロセス部門"] == 1


def test_without_a_files_directory_files_are_refused_and_organizers_cannot_allow_them(app, client, award, login):
    """Production has no default APPLICATION_FILES_DIR: fail closed rather than write somewhere unplanned."""
    registration, token = apply(award)
    app.config["APPLICATION_FILES_DIR"] = ""
    refused = client.post(f"/api/v1/registrations/{registration.id}/files",
                          data={"manage_token": token, "file": (io.BytesIO(PDF), "a.pdf")},
                          content_type="multipart/form-data")
    assert refused.status_code == 503 and refused.json["error"] == "files_unavailable"
    assert db.session.scalars(select(ApplicationFile)).all() == []
    login(factories.create_organizer())
    page = client.post(f"/organizer/events/{award.id}/applications/settings", data={
        "accepts_applications": "y", "application_files_allowed": "y", "application_file_max_mb": "5",
        "application_file_max_count": "2", "application_file_types": ["pdf"]})
    assert page.status_code == 200 and "application_files_allowed-error" in page.get_data(as_text=True)


def test_production_warns_when_no_files_directory_is_set(monkeypatch):
    from config import check_config

    warnings = check_config({"TSUDOI_ENV": "production", "SECRET_KEY": "x" * 40, "APPLICATION_FILES_DIR": "",
                             "RATELIMIT_ENABLED": False})
    assert any("APPLICATION_FILES_DIR" in w for w in warnings)


def test_organizer_settings_are_saved_and_audited(client, login, award):
    login(factories.create_organizer())
    response = client.post(f"/organizer/events/{award.id}/applications/settings", data={
        "accepts_applications": "y", "application_files_allowed": "y", "application_file_max_mb": "5",
        "application_file_max_count": "4", "application_file_types": ["pdf", "image"]})
    assert response.status_code == 303
    db.session.expire_all()
    assert award.application_file_max_mb == 5 and award.application_file_types == ["pdf", "image"]
    assert award.publishes_results is False
    too_big = client.post(f"/organizer/events/{award.id}/applications/settings", data={
        "accepts_applications": "y", "application_files_allowed": "y", "application_file_max_mb": "500",
        "application_file_max_count": "4", "application_file_types": ["pdf"]})
    assert too_big.status_code == 200 and 'value="500"' in too_big.get_data(as_text=True)
    assert db.session.scalar(select(AuditLog).where(AuditLog.action == "event.applications_settings"))


def test_a_reviewer_token_reads_nothing_through_the_api(client, award):
    registration, _token = apply(award)
    token = factories.create_api_token(factories.create_organizer(role=Role.REVIEWER))
    headers = {"Authorization": f"Bearer {token}"}
    for url in (f"/api/v1/registrations/{registration.id}/files", f"/api/v1/events/{award.id}/applications",
                f"/api/v1/events/{award.id}/registrations"):
        answer = client.get(url, headers=headers)
        assert answer.status_code == 403 and answer.json["error"] == "forbidden"
