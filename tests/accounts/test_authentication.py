"""JWT authentication reads the caller without decrypting (or selecting) personal data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import PERSONAL_FIELDS
from tests.helpers.api import client_for
from tests.helpers.db import statement_texts

pytestmark = pytest.mark.django_db


def _user_queries(ctx):
    """The statements reading users alone (the list's page reads the people's names too)."""
    return [
        sql
        for sql in statement_texts(ctx.captured_queries)
        if 'FROM "accounts_user"' in sql and "complaints_" not in sql
    ]


def test_authentication_selects_no_personal_column(agent, customer):
    client = client_for(agent)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/complaints/").status_code == 200
    (auth,) = _user_queries(ctx)
    assert "pgp_sym_decrypt" not in auth
    for column in PERSONAL_FIELDS:
        assert f'"accounts_user"."{column}"' not in auth
    for column in ("role", "is_active", "password"):
        assert f'"accounts_user"."{column}"' in auth


def test_personal_fields_load_together_when_used(customer):
    client = client_for(customer)
    with CaptureQueriesContext(connection) as ctx:
        body = client.get("/api/users/me/").json()
    assert (body["email"], body["full_name"]) == (customer.email, customer.full_name)
    auth, personal = _user_queries(ctx)
    assert "pgp_sym_decrypt" not in auth
    assert all(f'"accounts_user"."{column}"' in personal for column in PERSONAL_FIELDS)


def test_a_password_change_still_ends_the_token(customer):
    client = client_for(customer)
    customer.set_password("a-new-Secret-4242")
    customer.save()
    response = client.get("/api/complaints/")
    assert response.status_code == 401
