"""schemathesis against a real gunicorn on the test database, as a customer, an agent and a
supervisor: every operation of the OpenAPI schema, positive and negative data, all checks.

Bounded and reproducible: a fixed seed, derandomised generation, ``MAX_EXAMPLES`` cases per
operation and phase, no example database on disk. The schema is the one ``/api/schema/``
serves, generated in-process at collection (schemathesis' lazy fixture loader reads a pytest
attribute that pytest 9.2 renamed); requests go to the gunicorn fixture's URL.

Positive cases get real ids where the schema can only say "an integer" or "a uuid" (the
category of a new complaint, the complaint in the path), so they reach the views' logic
instead of stopping at a 404 or an "invalid pk". The exceptions the checks make are listed
below, each with its reason.
"""

from __future__ import annotations

from collections import Counter

import pytest
import schemathesis
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework import serializers
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.core.failures import AcceptedNegativeData
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import CoverageScenario
from schemathesis.openapi.checks import RejectedPositiveData

from accounts.models import Role
from complaints import services
from complaints.workflow import Status
from tests.helpers.complaints import make_complaint
from tests.helpers.factories import CategoryFactory, UserFactory

SEED = 20261
MAX_EXAMPLES = 5
UNEXPECTED_METHODS = ["PUT", "DELETE"]
# Accounts per role for the cases of DELETE /api/users/me/ (each erases the caller).
DISPOSABLE_ACCOUNTS = 20

ONE_PIXEL_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010800000000"
    "3a7e9b550000000a49444154789c63600000000200014baf4e710000000049454e44ae426082"
)

pytestmark = pytest.mark.django_db

# Requests sent per operation and the failures each exception below excused, all roles
# together (tests/live/conftest.py reports them).
CASES_SENT: Counter[str] = Counter()
EXCUSED: Counter[str] = Counter()

# positive_data_acceptance: schema-valid requests the API refuses with a 400 because of a rule
# about data or state, which JSON Schema cannot state. Such a 400 must name only these fields.
RULES_BEYOND_THE_SCHEMA: dict[tuple[str, str], dict[str, str]] = {
    ("POST", "/api/users/"): {
        "password": "Django's password validators (too common, numeric, like the email)",
        "email": "an address already registered",
        "phone": "a number that exists (libphonenumber), not any string",
    },
    ("PATCH", "/api/users/me/"): {
        "phone": "a number that exists (libphonenumber), not any string",
        "time_zone": "an IANA time zone name",
    },
    ("GET", "/api/complaints/"): {
        "created_after": "UTC offsets up to ±15:59 (PostgreSQL's range; RFC 3339 allows ±23:59)",
        "created_before": "UTC offsets up to ±15:59 (PostgreSQL's range; RFC 3339 allows ±23:59)",
    },
    ("POST", "/api/canned-responses/"): {
        "body": "a valid template (a literal brace is written twice)",
        "category_id": "an active category",
    },
    ("PATCH", "/api/canned-responses/{id}/"): {
        "body": "a valid template (a literal brace is written twice)",
        "category_id": "an active category",
    },
    # A random token is no token the server issued (they come in email links).
    ("POST", "/api/users/verify-email/"): {"detail": "token_invalid", "code": "token_invalid"},
    ("POST", "/api/users/password-reset/confirm/"): {
        "detail": "token_invalid",
        "code": "token_invalid",
        "new_password": "Django's password validators",
    },
    ("POST", "/api/users/me/password/"): {
        "old_password": "must be the caller's current password",
        "new_password": "Django's password validators",
    },
    ("POST", "/api/complaints/"): {
        "customer_id": "must be an active customer",
    },
    ("POST", "/api/complaints/{id}/comments/"): {
        "internal": "internal notes are for staff only",
    },
    ("POST", "/api/complaints/{id}/transition/"): {
        "reason": "required when moving to resolved or rejected",
    },
    ("POST", "/api/complaints/{id}/assign/"): {
        "assignee_id": "must be active staff",
    },
    ("POST", "/api/categories/"): {
        "name": "unique among categories",
        "slug": "unique among categories",
        "default_assignee_id": "must be active staff",
    },
    ("PATCH", "/api/categories/{id}/"): {
        "name": "unique among categories",
        "slug": "unique among categories",
        "default_assignee_id": "must be active staff",
    },
    ("POST", "/api/sla-calendars/"): {
        "name": "unique among calendars",
        "time_zone": "an IANA time zone name",
    },
    ("PATCH", "/api/sla-calendars/{id}/"): {
        "name": "unique among calendars",
        "time_zone": "an IANA time zone name",
    },
}

config = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none"},
        # Two methods an operation lacks are enough to see 405s answered in JSON.
        "phases": {"coverage": {"unexpected-methods": UNEXPECTED_METHODS}},
    }
)
RAW_SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(RAW_SCHEMA, config=config)
# Operations that authenticate nobody answer every role alike: the customer run covers them.
ANONYMOUS = {
    f"{method.upper()} {path}"
    for path, methods in RAW_SCHEMA["paths"].items()
    for method, operation in methods.items()
    if not operation.get("security")
}


def positive_data_acceptance(ctx, response, case):
    """The built-in check, except for the 400s of ``RULES_BEYOND_THE_SCHEMA``."""
    try:
        return schemathesis.checks.positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData:
        allowed = RULES_BEYOND_THE_SCHEMA.get((case.method.upper(), case.path), {})
        body = response.json() if response.status_code == 400 else None
        if isinstance(body, dict) and body and set(body) <= set(allowed):
            EXCUSED[f"positive_data_acceptance: {case.operation.label} 400 on {sorted(body)}"] += 1
            return None
        raise


def negative_data_rejection(ctx, response, case):
    """The built-in check, except where every violated body property is one of
    ``ACCEPTED_NEGATIVE_DATA``."""
    try:
        return schemathesis.checks.negative_data_rejection(ctx, response, case)
    except AcceptedNegativeData:
        if getattr(case.meta.phase.data, "scenario", None) == CoverageScenario.VALID_OBJECT:
            # schemathesis' coverage phase yields this scenario as a positive value (a body that
            # is valid by its own description), yet may label the case negative.
            EXCUSED["negative_data_rejection: a 'valid object' coverage case"] += 1
            return None
        violated = _violated_body_properties(case)
        reasons = [_accepted_because(case, name, value) for name, value in violated]
        if reasons and None not in reasons:
            for reason in set(reasons):
                EXCUSED[f"negative_data_rejection: {str(reason).split(':')[0]}"] += 1
            return None
        raise


def _accepted_because(case, name: str, value) -> str | None:
    return next(
        (reason for reason, accepts in ACCEPTED_NEGATIVE_DATA if accepts(case, name, value)), None
    )


def _violated_body_properties(case) -> list[tuple[str, object]]:
    """``(property, value sent)`` for each top-level body property the negative case broke;
    empty when it broke anything else (a header, the body's shape, a nested value)."""
    data = case.meta.phase.data
    if not isinstance(case.body, dict):
        return []
    mutations = getattr(data, "mutations", ())
    if mutations:
        pairs = []
        for mutation in mutations:
            if mutation.parameter_location != ParameterLocation.BODY or len(mutation.path) != 1:
                return []
            pairs.append((mutation.path[0], mutation.new_value))
        return pairs
    pointer = getattr(data, "location", None) or ""
    parts = pointer.split("/")
    if getattr(data, "parameter_location", None) != ParameterLocation.BODY or parts[:2] != [
        "",
        "properties",
    ]:
        return []
    name = parts[2]
    return [(name, case.body.get(name))] if name in case.body else []


def _property_schema(case, name: str) -> dict:
    operation = RAW_SCHEMA["paths"][case.path][case.method.lower()]
    body = operation["requestBody"]["content"][case.media_type]["schema"]
    properties = _resolve(body).get("properties", {})
    return _resolve(properties.get(name, {}))


def _resolve(schema: dict) -> dict:
    """The schema behind ``$ref`` and single ``allOf``; alternatives of one type as that type."""
    if "$ref" in schema:
        return _resolve(RAW_SCHEMA["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]])
    if len(schema.get("allOf", ())) == 1:
        return _resolve(schema["allOf"][0])
    alternatives = schema.get("oneOf") or schema.get("anyOf")
    if alternatives:
        types = {_resolve(alternative).get("type") for alternative in alternatives}
        return {"type": types.pop()} if len(types) == 1 else {}
    return schema


DRF_FIELD_FOR_TYPE = {
    "string": serializers.CharField,
    "integer": serializers.IntegerField,
    "number": serializers.FloatField,
    "boolean": serializers.BooleanField,
}


def _drf_coerces(case, name: str, value) -> bool:
    field = DRF_FIELD_FOR_TYPE.get(str(_property_schema(case, name).get("type")))
    if field is None or value is None or isinstance(value, dict | list):
        return False
    try:
        field().run_validation(value)
    except serializers.ValidationError:
        return False
    return True


def _empty_multipart_field(case, name: str, value) -> bool:
    return (case.media_type or "").startswith("multipart/") and value == ""


# negative_data_rejection: schema-violating values the API accepts on purpose.
ACCEPTED_NEGATIVE_DATA = [
    (
        "DRF converts a JSON scalar to the field's type: 0 -> '0' for text, 0/1 or 'true' for "
        "a boolean, '5' for an integer (what is stored has the declared type)",
        _drf_coerces,
    ),
    (
        "An optional multipart form field sent empty is read as not sent (DRF's HTML-form rule)",
        _empty_multipart_field,
    ),
]


CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance,
]


def bearer(user) -> str:
    return f"Bearer {RefreshToken.for_user(user).access_token}"


# Cases may be drawn at collection, before any account exists: they carry this placeholder,
# which the test swaps for the token of the role under test.
CALLER_TOKEN = "Bearer caller-of-this-test"


@schema.auth(refresh_interval=None)
class CallerAuth:
    """Marks every case as authenticated by the caller; schemathesis leaves the header off the
    cases that test a missing Authorization header."""

    def get(self, case, context):
        return CALLER_TOKEN

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": data}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Committed data gunicorn can see, made once for the module and flushed afterwards.

    Each test runs inside a transaction the test process rolls back, which gunicorn never
    sees: everything gunicorn must see (including the accounts the erasure cases erase, one
    per case) is made here.
    """
    with django_db_blocker.unblock():
        category = CategoryFactory.create()
        # PATCH /api/categories/{id}/ may deactivate its category: not the one complaints use.
        editable_category = CategoryFactory.create()
        roles = (Role.CUSTOMER, Role.AGENT, Role.SUPERVISOR)
        users = {role: UserFactory.create(role=role) for role in roles}
        customer = users[Role.CUSTOMER]
        open_complaint = make_complaint(customer=customer, category=category)
        yield {
            "users": users,
            "tokens": {role: bearer(user) for role, user in users.items()},
            "disposable": {
                role: [bearer(UserFactory.create(role=role)) for _ in range(DISPOSABLE_ACCOUNTS)]
                for role in roles
            },
            "category": category,
            "editable_category": editable_category,
            "open": open_complaint,
            "comment": services.comment_create(
                complaint=open_complaint, author=customer, body="A public comment.", internal=False
            ),
            "resolved": make_complaint(
                customer=customer, category=category, status=Status.RESOLVED
            ),
        }
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module", params=[Role.CUSTOMER, Role.AGENT, Role.SUPERVISOR])
def caller(request, world):
    return world["users"][request.param]


def caller_headers(case, world, caller) -> dict[str, str] | None:
    """The caller's token where the case carries the placeholder (not on the cases testing a
    missing Authorization header). Cases are shared between the roles: never written to."""
    if (case.headers or {}).get("Authorization") != CALLER_TOKEN:
        return None
    token = world["tokens"][caller.role]
    if (case.method.upper(), case.path) == ("DELETE", "/api/users/me/"):
        # Erasure ends the account: each case erases an account of its own.
        unused = world["disposable"][caller.role]
        assert unused, "more erasure cases than DISPOSABLE_ACCOUNTS"
        token = unused.pop()
    return {"Authorization": token}


def _is_positive(case, location: ParameterLocation) -> bool:
    if case.meta is None:
        return True
    component = case.meta.components.get(location)
    mode = component.mode if component is not None else case.meta.generation.mode
    return not mode.is_negative


def use_real_references(case, world) -> None:  # noqa: C901, PLR0912 - one branch per location
    """In positive components, replace ids the schema cannot know with ids that exist."""
    if _is_positive(case, ParameterLocation.PATH):
        params = case.path_parameters
        if case.path.startswith("/api/complaints/{id}/"):
            target = "resolved" if case.path.endswith("/feedback/") else "open"
            params["id"] = str(world[target].pk)
        elif case.path == "/api/categories/{id}/":
            params["id"] = world["editable_category"].pk
        elif case.path == "/api/complaints/by-ref/{reference}/":
            params["reference"] = world["open"].reference
    body = case.body
    if _is_positive(case, ParameterLocation.BODY) and isinstance(body, dict):
        for key in ("category", "category_id"):
            if body.get(key) is not None:
                body[key] = world["category"].pk
        if body.get("business_calendar_id") is not None:
            body["business_calendar_id"] = None  # the default calendar
        if "file" in body:
            # The type is sniffed from the bytes, which the schema can only call "binary".
            body["file"] = ONE_PIXEL_PNG
        if body.get("comment_id"):
            body["comment_id"] = str(world["comment"].pk)
        if "customer_id" in body:
            body["customer_id"] = str(world["users"][Role.CUSTOMER].pk)
        for key in ("assignee_id", "default_assignee_id"):
            if body.get(key):
                body[key] = str(world["users"][Role.AGENT].pk)


@schema.parametrize()
@hypothesis_settings(deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, gunicorn_test_server, world, caller):
    if caller.role != Role.CUSTOMER and case.operation.label in ANONYMOUS:
        pytest.skip("an anonymous operation, run once (as the customer)")
    CASES_SENT[case.operation.label] += 1
    use_real_references(case, world)
    case.call_and_validate(
        base_url=gunicorn_test_server.url,
        headers=caller_headers(case, world, caller),
        checks=CHECKS,
    )
