"""AppTest flows for the composer, password reset, email verification and My account."""

from __future__ import annotations

import pytest
from django.core import mail

from accounts.models import Role, User
from complaints.models import Comment
from complaints.services import complaint_create
from tests.helpers.factories import DEFAULT_PASSWORD, UserFactory
from tests.helpers.frontend import (
    assert_ok,
    draft_version,
    goto,
    log_in,
    open_emailed_link,
    texts,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def complaint(customer, categories):
    return complaint_create(
        customer=customer, category=categories[0], title="Broken kettle", description="It leaks."
    )


def open_as(new_app, user, complaint):
    at = new_app()
    log_in(at, user.email)
    at.query_params["id"] = str(complaint.pk)
    return goto(at, "app_pages/complaint_detail.py")


def test_internal_mode_is_unmistakable_and_resets_after_sending(new_app, agent, complaint):
    at = open_as(new_app, agent, complaint)
    cid = str(complaint.pk)
    assert "Public reply" in texts(at)
    assert at.button(key=f"reply_submit_{cid}_0").label == "Send reply"

    at.toggle(key=f"reply_internal_{cid}_0").set_value(True).run()
    assert "will not see this" in texts(at)
    assert at.button(key=f"reply_submit_{cid}_0").label == "Add internal note"
    at.text_area(key=f"reply_body_{cid}_0").input("Supplier recall pending.")
    at.button(key=f"reply_submit_{cid}_0").click().run()
    assert_ok(at)

    # A fresh draft: empty text, public again.
    assert draft_version(at, cid) == 1
    assert at.text_area(key=f"reply_body_{cid}_1").value == ""
    assert at.toggle(key=f"reply_internal_{cid}_1").value is False
    assert at.button(key=f"reply_submit_{cid}_1").label == "Send reply"
    assert list(Comment.objects.values_list("body", "is_internal")) == [
        ("Supplier recall pending.", True)
    ]


def test_a_send_repeated_before_the_draft_is_renewed_posts_once(new_app, customer, complaint):
    at = open_as(new_app, customer, complaint)
    cid = str(complaint.pk)
    at.text_area(key=f"reply_body_{cid}_0").input("Any news?")
    draft = dict(at.session_state[f"reply_draft_{cid}"])
    at.button(key=f"reply_submit_{cid}_0").click().run()

    # The second click of a double click: the same draft (key) arrives again.
    at.session_state[f"reply_draft_{cid}"] = draft
    at.run()
    at.text_area(key=f"reply_body_{cid}_0").input("Any news?")
    at.button(key=f"reply_submit_{cid}_0").click().run()
    assert_ok(at)

    assert Comment.objects.filter(complaint=complaint).count() == 1


def test_a_failed_send_keeps_the_draft(new_app, customer, complaint):
    at = open_as(new_app, customer, complaint)
    cid = str(complaint.pk)
    at.text_area(key=f"reply_body_{cid}_0").input("Typed while offline")
    good_url = at.session_state["api_base_url"]
    at.session_state["api_base_url"] = "http://127.0.0.1:9"  # nothing listens here
    at.button(key=f"reply_submit_{cid}_0").click().run()
    assert_ok(at)

    at.session_state["api_base_url"] = good_url
    at.run()
    assert at.text_area(key=f"reply_body_{cid}_0").value == "Typed while offline"
    at.button(key=f"reply_submit_{cid}_0").click().run()
    assert_ok(at)
    assert list(Comment.objects.values_list("body", flat=True)) == ["Typed while offline"]


def test_forgotten_password_is_reset_from_the_emailed_link(new_app, customer):
    at = new_app()
    goto(at, "app_pages/forgot_password.py")
    at.text_input(key="forgot_email").input(customer.email)
    at.button(key="forgot_submit").click().run()
    assert any("sent it a link" in s.value for s in at.success)

    open_emailed_link(at, customer.email, "reset_password")
    at.text_input(key="reset_password").input("Fresh-Lantern-2027")
    at.text_input(key="reset_password2").input("Fresh-Lantern-2027")
    at.button(key="reset_submit").click().run()
    assert_ok(at)
    assert at.title[0].value == "Log in"
    assert "password has been changed" in texts(at)

    log_in(at, customer.email, "Fresh-Lantern-2027")
    assert at.title[0].value == "My complaints"


def test_a_used_reset_link_says_so(new_app, customer):
    at = new_app()
    goto(at, "app_pages/forgot_password.py")
    at.text_input(key="forgot_email").input(customer.email)
    at.button(key="forgot_submit").click().run()
    for password in ("Fresh-Lantern-2027", "Other-Lantern-2028"):
        open_emailed_link(at, customer.email, "reset_password")
        at.text_input(key="reset_password").input(password)
        at.text_input(key="reset_password2").input(password)
        at.button(key="reset_submit").click().run()
        assert_ok(at)
    assert any("already been used" in e.value for e in at.error), texts(at)


def test_an_unverified_customer_is_asked_to_confirm(new_app, categories):
    user = UserFactory.create(email_verified_at=None)
    at = new_app()
    log_in(at, user.email)
    assert "confirm your email address" in texts(at)

    at.button(key="resend_verification").click().run()
    assert_ok(at)
    assert [m.to for m in mail.outbox] == [[user.email]]
    open_emailed_link(at, user.email, "verify_email")
    assert any("confirmed" in s.value for s in at.success)
    goto(at, "app_pages/my_complaints.py")
    assert "confirm your email address" not in texts(at)


def test_my_account_saves_phone_and_time_zone(new_app, customer):
    at = new_app()
    log_in(at, customer.email)
    goto(at, "app_pages/account.py")
    at.text_input(key="acc_phone").input("call me maybe")
    at.button(key="acc_save").click().run()
    assert any("phone number" in e.value for e in at.error)

    at.text_input(key="acc_phone").input("020 7946 0958")
    at.selectbox(key="acc_time_zone").select("Europe/Berlin")
    at.button(key="acc_save").click().run()
    assert_ok(at)
    customer.refresh_from_db()
    assert (customer.phone, customer.time_zone) == ("+442079460958", "Europe/Berlin")
    # Times are shown in the chosen zone, named.
    assert "CET" in texts(at) or "CEST" in texts(at)


def test_my_account_turns_an_email_kind_off(new_app, customer):
    at = new_app()
    log_in(at, customer.email)
    goto(at, "app_pages/account.py")
    assert at.toggle(key="email_resolved").value is True
    assert "email_customer_reply" not in [t.key for t in at.toggle]  # a staff kind
    at.toggle(key="email_resolved").set_value(False)
    at.button(key="email_prefs_save").click().run()
    assert_ok(at)
    assert list(customer.email_opt_outs.values_list("kind", flat=True)) == ["resolved"]
    assert at.toggle(key="email_resolved").value is False


def test_my_account_changes_the_password_and_logs_out(new_app, customer):
    at = new_app()
    log_in(at, customer.email)
    goto(at, "app_pages/account.py")
    at.text_input(key="pw_old").input(DEFAULT_PASSWORD)
    at.text_input(key="pw_new").input("Fresh-Lantern-2027")
    at.text_input(key="pw_new2").input("Fresh-Lantern-2027")
    at.button(key="pw_submit").click().run()
    assert_ok(at)
    assert at.title[0].value == "Log in"
    log_in(at, customer.email, "Fresh-Lantern-2027")
    assert at.title[0].value == "My complaints"


def test_deleting_the_account_names_what_is_kept(new_app, customer):
    at = new_app()
    log_in(at, customer.email)
    goto(at, "app_pages/account.py")
    assert "What we keep" in texts(at)
    assert at.button(key="delete_submit").disabled
    at.checkbox(key="delete_confirm").check().run()
    at.button(key="delete_submit").click().run()
    assert_ok(at)
    assert at.title[0].value == "Log in"
    assert User.objects.get(pk=customer.pk).erased_at is not None


def test_a_link_opened_before_login_opens_after_it(new_app, customer, complaint):
    at = new_app()
    at.query_params["id"] = str(complaint.pk)
    goto(at, "app_pages/complaint_detail.py")
    assert at.title[0].value == "Log in"

    log_in(at, customer.email)
    assert "Broken kettle" in at.title[0].value


def test_staff_are_not_sent_to_customer_pages(new_app, customer):
    staff = UserFactory.create(role=Role.AGENT)
    at = new_app()
    goto(at, "app_pages/new_complaint.py")
    log_in(at, staff.email)
    assert at.title[0].value == "Queue"
