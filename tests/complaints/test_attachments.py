"""Attachments: size and type limits, name sanitising, visibility, history, rollback cleanup."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from complaints.attachments import attachment_add, sanitize_filename, sniff_content_type
from complaints.models import Attachment, Comment, HistoryEntry, HistoryKind
from complaints.workflow import Status
from tests.conftest import client_for
from tests.factories import ComplaintFactory

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 40
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 40

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def complaint(customer):
    return ComplaintFactory(customer=customer)


def url(complaint):
    return f"/api/complaints/{complaint.pk}/attachments/"


def upload(client, complaint, content, name="file.bin", **extra):
    data = {"file": SimpleUploadedFile(name, content, content_type="application/octet-stream")}
    data.update(extra)
    return client.post(url(complaint), data, format="multipart")


def stored_files(media_root):
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


# --- sniffing and names (unit) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (PDF, "application/pdf"),
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        ("héllo wörld\n".encode(), "text/plain"),
        (b"<html><script>alert(1)</script></html>", "text/plain"),
        (EXE, None),
        (b"hello\x00world", None),
        (b"\xff\xfe not utf-8 \xc3", None),
    ],
)
def test_sniff_content_type(content, expected):
    assert sniff_content_type(SimpleUploadedFile("x", content)) == expected


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("../../etc/passwd", "text/plain", "passwd.txt"),
        ("..\\..\\windows\\system32\\evil.exe", "application/pdf", "evil.pdf"),
        ("report.PDF", "application/pdf", "report.pdf"),
        ("photo.jpeg", "image/jpeg", "photo.jpeg"),
        ("photo.png", "image/jpeg", "photo.jpg"),
        ("in\x00voice\r\n\x1b[31m.pdf", "application/pdf", "invoice[31m.pdf"),
        ("evil\u202egnp.exe", "image/png", "evilgnp.png"),
        ("..", "text/plain", "attachment.txt"),
        ("", "image/png", "attachment.png"),
        ("a..b....c.txt", "text/plain", "a.b.c.txt"),
        ('we"ird;name<>.txt', "text/plain", "we_ird_name.txt"),
    ],
)
def test_sanitize_filename(name, content_type, expected):
    assert sanitize_filename(name, content_type) == expected


def test_sanitize_filename_limits_length():
    name = sanitize_filename("x" * 5000 + ".pdf", "application/pdf")
    assert len(name) <= 120
    assert name.endswith(".pdf")


# --- upload --------------------------------------------------------------------------------


def test_customer_uploads_pdf(customer_client, customer, complaint, media):
    resp = upload(customer_client, complaint, PDF, name="../../secret/Report.pdf")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["file_name"] == "Report.pdf"
    assert body["content_type"] == "application/pdf"
    assert body["size"] == len(PDF)
    assert body["sha256"] == hashlib.sha256(PDF).hexdigest()
    attachment = Attachment.objects.get(pk=body["id"])
    assert attachment.uploaded_by == customer
    # Stored under a random name inside MEDIA_ROOT, never the client's name.
    assert "Report" not in attachment.file.name
    assert ".." not in attachment.file.name
    files = stored_files(media)
    assert len(files) == 1
    # Encrypted at rest (tests/complaints/test_attachment_encryption.py).
    assert b"%PDF" not in files[0].read_bytes()
    entry = HistoryEntry.objects.get(complaint=complaint, kind=HistoryKind.ATTACHMENT_ADDED)
    assert entry.actor == customer
    assert entry.is_internal is False
    assert entry.to_value == "Report.pdf"


def test_client_content_type_is_ignored(agent_client, complaint):
    f = SimpleUploadedFile("picture.png", EXE, content_type="image/png")
    resp = agent_client.post(url(complaint), {"file": f}, format="multipart")
    assert resp.status_code == 415
    assert "image/png" in resp.json()["allowed_types"]
    assert Attachment.objects.count() == 0


def test_nul_bytes_in_text_rejected(agent_client, complaint):
    assert upload(agent_client, complaint, b"plain\x00text", name="a.txt").status_code == 415


def test_html_disguised_as_text_is_served_as_plain_text(customer_client, complaint):
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    resp = upload(customer_client, complaint, html, name="notes.html")
    assert resp.status_code == 201
    assert resp.json()["content_type"] == "text/plain"
    assert resp.json()["file_name"] == "notes.txt"
    download = customer_client.get(resp.json()["download_url"])
    assert download["Content-Type"] == "text/plain; charset=utf-8"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_just_over_the_limit_is_413(customer_client, complaint, media):
    assert upload(customer_client, complaint, b"a" * 1025, name="a.txt").status_code == 413
    assert upload(customer_client, complaint, b"a" * 1024, name="a.txt").status_code == 201
    assert Attachment.objects.count() == 1
    assert len(stored_files(media)) == 1


@override_settings(ATTACHMENT_MAX_BYTES=1024)
def test_huge_body_refused_before_parsing(customer_client, complaint):
    resp = upload(customer_client, complaint, b"a" * (200 * 1024), name="a.txt")
    assert resp.status_code == 413


def test_default_limit_allows_files_beyond_django_memory_limits(agent_client, complaint):
    # 3 MB: beyond FILE_UPLOAD_MAX_MEMORY_SIZE and DATA_UPLOAD_MAX_MEMORY_SIZE, under 10 MB.
    content = b"%PDF-" + b"0" * (3 * 1024 * 1024)
    resp = upload(agent_client, complaint, content, name="big.pdf")
    assert resp.status_code == 201, resp.content
    assert resp.json()["size"] == len(content)


def test_default_limit_just_over_is_413(agent_client, complaint, settings):
    content = b"%PDF-" + b"0" * (settings.ATTACHMENT_MAX_BYTES - 4)
    assert len(content) == settings.ATTACHMENT_MAX_BYTES + 1
    assert upload(agent_client, complaint, content, name="big.pdf").status_code == 413


def test_multipart_without_file_is_400(customer_client, complaint):
    resp = customer_client.post(url(complaint), {"comment_id": ""}, format="multipart")
    assert resp.status_code == 400
    assert "file" in resp.json()


def test_empty_file_is_400(customer_client, complaint):
    assert upload(customer_client, complaint, b"", name="a.txt").status_code == 400


def test_json_body_is_415(customer_client, complaint):
    resp = customer_client.post(url(complaint), {"file": "aGVsbG8="}, format="json")
    assert resp.status_code == 415


def test_other_customer_cannot_upload_or_list(other_customer_client, complaint):
    assert upload(other_customer_client, complaint, PDF).status_code == 404
    assert other_customer_client.get(url(complaint)).status_code == 404


@pytest.mark.parametrize("finished", [Status.CLOSED, Status.REJECTED, Status.WITHDRAWN])
def test_customer_cannot_upload_to_finished_complaint(customer, finished, agent_client):
    complaint = ComplaintFactory(customer=customer, status=finished)
    resp = upload(client_for(customer), complaint, PDF)
    assert resp.status_code == 409
    assert resp.json()["current_status"] == finished
    # Handlers still may.
    assert upload(agent_client, complaint, PDF).status_code == 201


def test_customer_may_upload_to_a_resolved_complaint(customer):
    # Same rule as comments: a resolved complaint can still be reopened, files may explain why.
    complaint = ComplaintFactory(customer=customer, status=Status.RESOLVED)
    assert upload(client_for(customer), complaint, PDF).status_code == 201


def test_unauthenticated_is_401(api_client, complaint):
    assert api_client.get(url(complaint)).status_code == 401


# --- comments and internal notes ----------------------------------------------------------


def test_attach_to_comment_and_internal_note_visibility(
    customer, agent, customer_client, agent_client, complaint
):
    public = Comment.objects.create(complaint=complaint, author=customer, body="see file")
    internal = Comment.objects.create(
        complaint=complaint, author=agent, body="internal only", is_internal=True
    )
    resp = upload(customer_client, complaint, PDF, name="a.pdf", comment_id=str(public.pk))
    assert resp.status_code == 201
    assert resp.json()["comment_id"] == str(public.pk)
    # A customer cannot attach to an internal note (it does not exist for them).
    resp = upload(customer_client, complaint, PDF, name="b.pdf", comment_id=str(internal.pk))
    assert resp.status_code == 400
    resp = upload(agent_client, complaint, PNG, name="c.png", comment_id=str(internal.pk))
    assert resp.status_code == 201
    internal_id = resp.json()["id"]
    entry = HistoryEntry.objects.filter(kind=HistoryKind.ATTACHMENT_ADDED).latest("id")
    assert entry.is_internal is True

    listed = customer_client.get(url(complaint)).json()["results"]
    assert [a["file_name"] for a in listed] == ["a.pdf"]
    assert customer_client.get(f"/api/attachments/{internal_id}/download/").status_code == 404
    assert len(agent_client.get(url(complaint)).json()["results"]) == 2
    assert agent_client.get(f"/api/attachments/{internal_id}/download/").status_code == 200


def test_comment_of_another_complaint_is_400(agent, agent_client, complaint):
    other = ComplaintFactory()
    foreign = Comment.objects.create(complaint=other, author=agent, body="x")
    resp = upload(agent_client, complaint, PDF, comment_id=str(foreign.pk))
    assert resp.status_code == 400
    assert "comment_id" in resp.json()


# --- download ------------------------------------------------------------------------------


def test_download_streams_with_headers(customer_client, complaint):
    name = "Résumé café.pdf"
    created = upload(customer_client, complaint, PDF, name=name).json()
    resp = customer_client.get(f"/api/attachments/{created['id']}/download/")
    assert resp.status_code == 200
    assert resp.streaming
    assert b"".join(resp.streaming_content) == PDF
    assert resp["Content-Type"] == "application/pdf"
    assert resp["X-Content-Type-Options"] == "nosniff"
    disposition = resp["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''R%C3%A9sum%C3%A9%20caf%C3%A9.pdf" in disposition


def test_cross_customer_download_is_404(customer_client, other_customer_client, complaint):
    created = upload(customer_client, complaint, PDF).json()
    download = f"/api/attachments/{created['id']}/download/"
    assert other_customer_client.get(download).status_code == 404
    assert customer_client.get(download).status_code == 200


def test_unknown_attachment_is_404(agent_client):
    resp = agent_client.get("/api/attachments/00000000-0000-0000-0000-000000000000/download/")
    assert resp.status_code == 404


def test_list_query_count(agent_client, complaint, django_assert_max_num_queries):
    for i in range(5):
        assert upload(agent_client, complaint, PDF, name=f"{i}.pdf").status_code == 201
    with django_assert_max_num_queries(4):
        resp = agent_client.get(url(complaint))
    assert resp.json()["count"] == 5


# --- transaction ---------------------------------------------------------------------------


def test_stored_file_deleted_when_transaction_rolls_back(customer, complaint, monkeypatch, media):
    def boom(**kwargs):
        raise RuntimeError("history failed")

    monkeypatch.setattr("complaints.attachments.history_record", boom)
    with pytest.raises(RuntimeError):
        attachment_add(
            complaint=complaint, uploader=customer, upload=SimpleUploadedFile("a.pdf", PDF)
        )
    assert Attachment.objects.count() == 0
    assert stored_files(media) == []


def test_download_of_a_file_missing_from_storage_is_404(customer_client, complaint):
    created = upload(customer_client, complaint, PDF).json()
    attachment = Attachment.objects.get(pk=created["id"])
    attachment.file.storage.delete(attachment.file.name)

    resp = customer_client.get(f"/api/attachments/{created['id']}/download/")

    assert resp.status_code == 404
    assert resp.json() == {"detail": "The attachment's content is no longer available."}


@pytest.mark.django_db
def test_the_rules_endpoint_describes_what_uploads_may_be(customer_client, settings):
    settings.ATTACHMENT_MAX_BYTES = 1234

    response = customer_client.get("/api/attachments/rules/")

    assert response.status_code == 200
    body = response.json()
    assert body["max_bytes"] == 1234
    types = {t["content_type"]: t["extensions"] for t in body["types"]}
    assert types["image/jpeg"] == [".jpg", ".jpeg"]
    assert set(types) == {"application/pdf", "image/png", "image/jpeg", "text/plain"}


@pytest.mark.django_db
def test_the_rules_need_a_login(api_client):
    assert api_client.get("/api/attachments/rules/").status_code == 401
