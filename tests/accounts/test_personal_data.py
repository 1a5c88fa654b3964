"""accounts.personal_data: providers plug their sections into the export and their erasure into
the account erasure's one transaction."""

import pytest

from accounts import personal_data
from accounts.erasure import user_erase
from accounts.personal_data import (
    PersonalDataProvider,
    personal_data_erase,
    personal_data_provider_register,
    personal_data_providers,
)
from complaints.models import Complaint
from tests.accounts._data import complaint_with_everything


@pytest.fixture
def registry(monkeypatch):
    """The registered providers, restored after the test."""
    monkeypatch.setattr(personal_data, "_providers", dict(personal_data._providers))


def provider(*, name="notes", sections=("notes",), export=None, erase=None):
    return PersonalDataProvider(
        name=name,
        sections=sections,
        export=export or (lambda *, user: {"notes": [{"user": str(user.pk)}]}),
        erase=erase or (lambda *, user: None),
    )


def test_complaints_registers_itself():
    assert [p.name for p in personal_data_providers()] == ["complaints"]


@pytest.mark.django_db
def test_a_providers_sections_are_exported_after_the_others(registry, customer_client, customer):
    personal_data_provider_register(provider())

    data = customer_client.get("/api/users/me/export/").json()

    assert list(data) == [
        "exported_at",
        "profile",
        "complaints",
        "comments",
        "feedback",
        "attachments",
        "notes",
    ]
    assert data["notes"] == [{"user": str(customer.pk)}]


@pytest.mark.parametrize("section", ["profile", "exported_at", "comments"])
def test_a_section_belongs_to_one_provider(registry, section):
    with pytest.raises(ValueError, match="already taken"):
        personal_data_provider_register(provider(sections=(section,)))


def test_registering_again_replaces(registry):
    personal_data_provider_register(provider())
    personal_data_provider_register(provider(sections=("notes", "drafts")))

    assert personal_data_providers()[-1].sections == ("notes", "drafts")


@pytest.mark.django_db
def test_a_provider_must_export_exactly_its_sections(registry, customer):
    personal_data_provider_register(provider(sections=("notes", "drafts")))

    with pytest.raises(ValueError, match="drafts"):
        personal_data.personal_data_export(user=customer)


@pytest.mark.django_db(transaction=True)
def test_a_failing_provider_rolls_the_whole_erasure_back(registry, customer, agent, category):
    mine = complaint_with_everything(customer=customer, agent=agent, category=category, tag="MINE")
    storage, file_name = mine.attachment.file.storage, mine.attachment.file.name

    def fail(*, user):
        raise RuntimeError("provider failed")

    personal_data_provider_register(provider(erase=fail))

    with pytest.raises(RuntimeError, match="provider failed"):
        user_erase(user=customer)

    customer.refresh_from_db()
    assert customer.is_active
    assert customer.erased_at is None
    assert Complaint.objects.get(pk=mine.complaint.pk).title == "MINE title"
    assert storage.exists(file_name)


@pytest.mark.django_db(transaction=True)
def test_erasure_outside_a_transaction_is_refused(customer):
    with pytest.raises(RuntimeError, match="transaction"):
        personal_data_erase(user=customer)
