import pytest
from django.contrib.auth.models import Group

from accounts.models import Role, User
from complaints.selectors import complaint_list
from tests.helpers.accounts import user_with_email
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import UserFactory


@pytest.fixture
def admin_web(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.mark.django_db
def test_changelist_shows_no_pii(admin_web, customer):
    response = admin_web.get("/admin/accounts/user/")

    assert response.status_code == 200
    body = response.content.decode()
    assert customer.email not in body
    assert customer.full_name not in body
    assert str(customer.pk) in body


@pytest.mark.django_db
def test_search_is_exact_on_blind_index(admin_web, customer, other_customer):
    response = admin_web.get("/admin/accounts/user/", {"q": customer.email.upper()})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [customer]

    partial = admin_web.get("/admin/accounts/user/", {"q": customer.email[:5]})
    assert list(partial.context["cl"].result_list) == []


@pytest.mark.django_db
def test_filters_are_not_pii(admin_web):
    response = admin_web.get(
        "/admin/accounts/user/", {"role__exact": "agent", "is_active__exact": 1}
    )

    assert response.status_code == 200


@pytest.mark.django_db
def test_add_goes_through_the_service(admin_web):
    response = admin_web.post(
        "/admin/accounts/user/add/",
        {
            "email": "Added@Example.com",
            "full_name": "Added Agent",
            "phone": "",
            "role": Role.AGENT,
            "password1": "Quiet-Lantern-93",
            "password2": "Quiet-Lantern-93",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = user_with_email("added@example.com")
    assert user.email == "added@example.com"
    assert user.check_password("Quiet-Lantern-93")
    assert user.is_staff
    assert list(user.groups.values_list("name", flat=True)) == [Role.AGENT]


@pytest.mark.django_db
def test_add_rejects_duplicate_and_weak_password(admin_web, customer):
    response = admin_web.post(
        "/admin/accounts/user/add/",
        {
            "email": customer.email.upper(),
            "full_name": "Dup",
            "role": Role.AGENT,
            "password1": "123",
            "password2": "123",
        },
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "email" in errors
    assert "password1" in errors


@pytest.mark.django_db
def test_change_role_syncs_groups_and_email_hash(admin_web):
    user = UserFactory.create(role=Role.CUSTOMER)

    response = admin_web.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": "Changed@Example.com",
            "full_name": user.full_name,
            "phone": user.phone,
            "role": Role.SUPERVISOR,
            "is_active": "on",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    assert user_with_email("changed@example.com").pk == user.pk
    user.refresh_from_db()
    assert user.role == Role.SUPERVISOR
    assert user.is_staff
    assert list(user.groups.all()) == [Group.objects.get(name=Role.SUPERVISOR)]


@pytest.mark.django_db
def test_erase_action(admin_web, customer):
    response = admin_web.post(
        "/admin/accounts/user/",
        {"action": "erase_users", "_selected_action": [str(customer.pk)]},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=customer.pk).erased_at is not None


@pytest.mark.django_db
def test_renaming_in_the_admin_rewrites_the_search_tokens(admin_web, customer, agent):
    complaint = make_complaint(customer=customer)
    response = admin_web.post(
        f"/admin/accounts/user/{customer.pk}/change/",
        {
            "email": customer.email,
            "full_name": "Grace Hopper",
            "phone": customer.phone,
            "role": Role.CUSTOMER,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    found = complaint_list(user=agent, filters={"q": "hopper"}).keys
    assert list(found.values_list("pk", flat=True)) == [complaint.pk]
