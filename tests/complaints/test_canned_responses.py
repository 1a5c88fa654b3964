"""Canned responses: the fixed placeholder set, safe rendering, and who may manage them."""

import pytest
from django.core.exceptions import ValidationError

from complaints import canned_responses as canned
from complaints.errors import NotAllowed, NotFound
from tests.factories import CategoryFactory, ComplaintFactory, UserFactory

VALUES = {"customer_first_name": "Ada", "reference": "CMP-2026-000001", "agent_name": "Sam"}


@pytest.mark.parametrize(
    ("body", "rendered"),
    [
        ("Dear {customer_first_name},", "Dear Ada,"),
        (
            "{reference}: {agent_name} here. {reference}",
            "CMP-2026-000001: Sam here. CMP-2026-000001",
        ),
        ("Braces {{like this}} stay", "Braces {like this} stay"),
        ("No placeholders", "No placeholders"),
    ],
)
def test_render_fills_the_placeholders(body, rendered):
    assert canned.template_errors(body) == []
    assert canned.render(body, values=VALUES) == rendered


def test_values_are_inserted_as_text_never_evaluated():
    values = {**VALUES, "customer_first_name": "{reference.__class__} {agent_name}"}
    assert canned.render("Hi {customer_first_name}", values=values) == (
        "Hi {reference.__class__} {agent_name}"
    )


@pytest.mark.parametrize(
    "body",
    [
        "Hi {name}",
        "Hi {}",
        "Hi {0}",
        "{reference.__class__.__mro__}",
        "{reference[0]}",
        "{reference!r}",
        "{reference:>40}",
        "{customer_first_name",
        "closing } alone",
    ],
)
@pytest.mark.django_db
def test_anything_but_the_fixed_placeholders_is_refused(body):
    assert canned.template_errors(body)
    with pytest.raises(ValidationError) as raised:
        canned.canned_response_create(actor=None, title="T", body=body)
    assert "body" in raised.value.message_dict


def test_unknown_placeholder_error_names_it_and_the_allowed_ones():
    (message,) = canned.template_errors("Hello {first_name}")
    assert "{first_name}" in message
    assert "{customer_first_name}" in message


@pytest.mark.django_db
def test_values_come_from_the_complaint_and_the_agent():
    customer = UserFactory(full_name="Ada Lovelace")
    agent = UserFactory(role="agent", full_name="Sam Agent")
    complaint = ComplaintFactory(customer=customer)
    values = canned.placeholder_values(complaint=complaint, agent=agent)
    assert values == {
        "customer_first_name": "Ada",
        "reference": complaint.reference,
        "agent_name": "Sam Agent",
    }


@pytest.mark.django_db
def test_nameless_people_get_words_not_ids():
    complaint = ComplaintFactory(customer=UserFactory(full_name=""))
    values = canned.placeholder_values(
        complaint=complaint, agent=UserFactory(role="agent", full_name="")
    )
    assert (values["customer_first_name"], values["agent_name"]) == ("customer", "the support team")


@pytest.mark.django_db
def test_a_complaint_is_offered_its_categorys_responses_then_the_global_ones(agent):
    billing, other = CategoryFactory(), CategoryFactory()
    complaint = ComplaintFactory(category=billing)
    canned.canned_response_create(actor=None, title="Everyone", body="Hi {customer_first_name}")
    canned.canned_response_create(actor=None, title="Billing", body="{reference}", category=billing)
    canned.canned_response_create(actor=None, title="Other", body="x", category=other)
    canned.canned_response_create(actor=None, title="Old", body="x", is_active=False)
    offered = canned.canned_responses_for_complaint(user=agent, complaint=complaint)
    assert [c.title for c in offered] == ["Billing", "Everyone"]
    assert offered[0].rendered_body == complaint.reference


@pytest.mark.django_db
def test_agents_read_but_do_not_write_and_customers_see_nothing(agent, customer, supervisor):
    made = canned.canned_response_create(actor=supervisor, title="T", body="b")
    with pytest.raises(NotAllowed):
        canned.canned_response_create(actor=agent, title="T", body="b")
    with pytest.raises(NotAllowed):
        canned.canned_response_update(canned_response=made, actor=agent, title="U")
    with pytest.raises(NotFound):
        canned.canned_response_list(user=customer)
    with pytest.raises(NotFound):
        canned.canned_responses_for_complaint(
            user=customer, complaint=ComplaintFactory(customer=customer)
        )
    assert made.created_by == supervisor
