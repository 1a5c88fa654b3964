"""AppTest: staff see that the resolve clock is paused while the complaint awaits the customer."""

from __future__ import annotations

import pytest

from complaints import services
from complaints.workflow import Status
from tests.helpers.factories import ComplaintFactory
from tests.helpers.frontend import (
    goto,
    log_in,
    texts,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_staff_see_the_paused_resolve_clock(new_app, categories, customer, agent):
    complaint = ComplaintFactory.create(
        customer=customer, category=categories[0], status=Status.NEW
    )
    for status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS):
        complaint = services.complaint_transition(complaint=complaint, actor=None, to_status=status)
    at = new_app()
    log_in(at, agent.email)
    at.session_state["current_complaint_id"] = str(complaint.pk)
    goto(at, "app_pages/complaint_detail.py")
    assert "Resolve clock" not in texts(at)

    services.complaint_transition(
        complaint=complaint, actor=None, to_status=Status.AWAITING_CUSTOMER
    )
    goto(at, "app_pages/complaint_detail.py")
    assert "paused since" in texts(at)
