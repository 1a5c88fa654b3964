"""AppTest: a handler inserts a canned response into the reply composer, edits it, sends it."""

from __future__ import annotations

import pytest

from complaints import canned_responses as canned
from complaints.models import Comment
from tests.helpers.factories import CategoryFactory, ComplaintFactory, UserFactory
from tests.helpers.frontend import (
    assert_ok,
    goto,
    log_in,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_agent_inserts_a_canned_response_edits_it_and_sends_it(new_app, categories, agent):
    customer = UserFactory.create(full_name="Ada Lovelace")
    complaint = ComplaintFactory.create(
        customer=customer, category=categories[0], title="Dented box"
    )
    apology = canned.canned_response_create(
        actor=None,
        title="Apology",
        body="Dear {customer_first_name}, sorry about {reference}. {agent_name}",
        category=categories[0],
    )
    thanks = canned.canned_response_create(actor=None, title="Thanks", body="Thank you.")
    canned.canned_response_create(
        actor=None, title="Elsewhere", body="x", category=CategoryFactory.create()
    )

    at = new_app()
    log_in(at, agent.email)
    at.session_state["current_complaint_id"] = str(complaint.pk)
    goto(at, "app_pages/complaint_detail.py")
    picker = at.selectbox(key=f"canned_choice_{complaint.pk}")
    assert picker.options == ["Apology (Billing)", "Thanks (all categories)"]
    assert at.button(key="canned_insert").disabled

    picker.select(apology.pk).run()
    at.button(key="canned_insert").click().run()
    assert_ok(at)
    composer = at.text_area(key=f"reply_body_{complaint.pk}_0")
    expected = f"Dear Ada, sorry about {complaint.reference}. {agent.full_name}"
    assert composer.value == expected
    assert not Comment.objects.exists()  # inserting sends nothing

    # A second insertion adds to what is written instead of replacing it.
    at.selectbox(key=f"canned_choice_{complaint.pk}").select(thanks.pk).run()
    at.button(key="canned_insert").click().run()
    composer = at.text_area(key=f"reply_body_{complaint.pk}_0")
    assert composer.value == expected + "\n\nThank you."

    composer.input(expected + " Your refund is on its way.")
    at.button(key=f"reply_submit_{complaint.pk}_0").click().run()
    assert_ok(at)
    comment = Comment.objects.get(complaint=complaint)
    assert comment.body == expected + " Your refund is on its way."
    assert not comment.is_internal
    assert comment.author == agent


def test_customers_get_no_canned_responses(new_app, categories, customer):
    complaint = ComplaintFactory.create(customer=customer, category=categories[0])
    canned.canned_response_create(actor=None, title="Thanks", body="Thank you.")
    at = new_app()
    log_in(at, customer.email)
    at.session_state["current_complaint_id"] = str(complaint.pk)
    goto(at, "app_pages/complaint_detail.py")
    assert not [s for s in at.selectbox if s.key and s.key.startswith("canned_choice_")]
    assert at.text_area(key=f"reply_body_{complaint.pk}_0")
