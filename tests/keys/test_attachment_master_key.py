"""Attachment master key rotation: file keys rewrapped online; files never rewritten.

Files uploaded under master key A; every process "restarts" with ``B,A``;
``rotate_attachment_master_key`` runs while a thread keeps downloading through the API;
afterwards every file downloads with B alone.
"""

import base64
import os

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError

import complaints.attachment_keys as jobs
import complaints.management.commands.rotate_attachment_master_key as command
from complaints.attachment_keys import attachments_by_master_key
from complaints.models import Attachment
from tests.conftest import client_for
from tests.factories import ComplaintFactory
from tests.keys._support import BackgroundReads, api_for


def master(key_id: str) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"


KEY_A, KEY_B = master("2026a"), master("2026b")


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


def upload_files(client, complaint, count: int) -> dict[str, bytes]:
    contents = {}
    for n in range(count):
        content = b"account statement %d\n" % n * (n * 5000 + 1)
        resp = client.post(
            f"/api/complaints/{complaint.pk}/attachments/",
            {"file": ContentFile(content, name=f"s{n}.txt")},
            format="multipart",
        )
        assert resp.status_code == 201, resp.content
        contents[resp.json()["id"]] = content
    return contents


def media_snapshot(media) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in media.rglob("*") if p.is_file()}


def downloads(live_server, user, contents):
    client = api_for(live_server, user)

    def read():
        for attachment_id, content in contents.items():
            resp = client.get(f"/api/attachments/{attachment_id}/download/")
            assert resp.status_code == 200, resp.text[:200]
            assert resp.content == content

    return read


@pytest.mark.django_db(transaction=True)
def test_rotation_while_files_download_then_only_the_new_key(
    live_server, settings, media, monkeypatch
):
    settings.ATTACHMENT_MASTER_KEYS = KEY_A
    complaint = ComplaintFactory()
    contents = upload_files(client_for(complaint.customer), complaint, 5)
    files_before = media_snapshot(media)
    settings.ATTACHMENT_MASTER_KEYS = f"{KEY_B},{KEY_A}"

    with BackgroundReads(downloads(live_server, complaint.customer, contents)) as reads:
        rewrap = command.attachment_keys_rewrap_batch

        def batch_then_read(**kwargs):
            result = rewrap(**kwargs)
            reads.step()
            return result

        monkeypatch.setattr(command, "attachment_keys_rewrap_batch", batch_then_read)
        call_command("rotate_attachment_master_key", batch_size=2)

    assert reads.failures == []
    assert reads.completed > 3
    assert attachments_by_master_key() == {"2026b": 5}
    assert media_snapshot(media) == files_before  # only the wrapped keys changed
    settings.ATTACHMENT_MASTER_KEYS = KEY_B
    downloads(live_server, complaint.customer, contents)()


@pytest.mark.django_db
def test_rotation_stopped_half_way_resumes(settings, monkeypatch, agent_client):
    settings.ATTACHMENT_MASTER_KEYS = KEY_A
    complaint = ComplaintFactory()
    contents = upload_files(agent_client, complaint, 5)
    settings.ATTACHMENT_MASTER_KEYS = f"{KEY_B},{KEY_A}"
    wrap, wrapped = jobs.attachment_crypto.wrap_data_key, []

    def fail_on_the_fourth(**kwargs):
        wrapped.append(kwargs)
        if len(wrapped) == 4:  # inside the second batch: that batch rolls back
            raise RuntimeError("killed")
        return wrap(**kwargs)

    monkeypatch.setattr(jobs.attachment_crypto, "wrap_data_key", fail_on_the_fourth)
    with pytest.raises(RuntimeError, match="killed"):
        call_command("rotate_attachment_master_key", batch_size=2)
    assert attachments_by_master_key() == {"2026a": 3, "2026b": 2}
    for attachment_id, content in contents.items():
        resp = agent_client.get(f"/api/attachments/{attachment_id}/download/")
        assert b"".join(resp.streaming_content) == content

    monkeypatch.setattr(jobs.attachment_crypto, "wrap_data_key", wrap)
    call_command("rotate_attachment_master_key", batch_size=2)
    call_command("rotate_attachment_master_key", batch_size=2)  # idempotent
    assert attachments_by_master_key() == {"2026b": 5}
    settings.ATTACHMENT_MASTER_KEYS = KEY_B
    for attachment_id, content in contents.items():
        resp = agent_client.get(f"/api/attachments/{attachment_id}/download/")
        assert b"".join(resp.streaming_content) == content


@pytest.mark.django_db
def test_rotation_stops_when_an_old_master_key_is_missing(settings, agent_client):
    settings.ATTACHMENT_MASTER_KEYS = KEY_A
    complaint = ComplaintFactory()
    upload_files(agent_client, complaint, 1)
    settings.ATTACHMENT_MASTER_KEYS = KEY_B  # A dropped too early

    with pytest.raises(CommandError, match="2026a"):
        call_command("rotate_attachment_master_key")
    assert Attachment.objects.get().key_id == "2026a"
