"""The OpenAPI schema: generated, valid OpenAPI 3, free of generator warnings, complete."""

import re

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from openapi_spec_validator import validate as validate_openapi

from complaints.attachments import ALLOWED_TYPES

# Every endpoint of the contract, as (method, path) in the generated schema.
CONTRACT = [
    ("get", "/api/complaints/"),
    ("post", "/api/complaints/"),
    ("get", "/api/complaints/{id}/"),
    ("get", "/api/complaints/by-ref/{reference}/"),
    ("post", "/api/complaints/{id}/transition/"),
    ("post", "/api/complaints/{id}/assign/"),
    ("get", "/api/complaints/{id}/comments/"),
    ("post", "/api/complaints/{id}/comments/"),
    ("get", "/api/complaints/{id}/attachments/"),
    ("post", "/api/complaints/{id}/attachments/"),
    ("get", "/api/attachments/{id}/download/"),
    ("get", "/api/complaints/{id}/history/"),
    ("post", "/api/complaints/{id}/feedback/"),
    ("get", "/api/categories/"),
    ("get", "/api/workflow/"),
    ("get", "/api/stats/"),
    ("post", "/api/users/"),
    ("get", "/api/users/me/"),
    ("post", "/api/users/me/password/"),
    ("get", "/api/users/me/export/"),
    ("get", "/api/users/handlers/"),
    ("get", "/api/sla-calendars/"),
    ("post", "/api/sla-calendars/"),
    ("get", "/api/sla-calendars/{id}/"),
    ("patch", "/api/sla-calendars/{id}/"),
    ("delete", "/api/sla-calendars/{id}/"),
    ("get", "/api/canned-responses/"),
    ("post", "/api/canned-responses/"),
    ("get", "/api/canned-responses/{id}/"),
    ("patch", "/api/canned-responses/{id}/"),
    ("delete", "/api/canned-responses/{id}/"),
    ("get", "/api/complaints/{id}/canned-responses/"),
    ("post", "/api/token/"),
    ("post", "/api/token/refresh/"),
    ("post", "/api/users/password-reset/"),
    ("post", "/api/users/password-reset/confirm/"),
    ("post", "/api/users/verify-email/"),
    ("post", "/api/users/verify-email/resend/"),
    ("post", "/api/auth/browser-session/"),
    ("get", "/api/auth/browser-session/cookie/"),
    ("get", "/api/auth/browser-session/forget/"),
    ("post", "/api/auth/browser-session/resume/"),
    ("post", "/api/auth/logout/"),
    ("get", "/api/attachments/rules/"),
]
MY_VIEWS = re.compile(
    r"complaints/api/attachments\.py|analytics/api/views\.py"
    r"|\[(ComplaintAttachmentsView|AttachmentDownloadView|StatsView)"
)


@pytest.fixture(scope="module")
def generated():
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    warnings = list(GENERATOR_STATS._warn_cache)
    errors = list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    return schema, warnings, errors


def test_schema_is_valid_openapi(generated):
    schema, _, errors = generated
    assert errors == []
    validate_schema(schema)  # drf-spectacular's own JSON-schema check (as --validate)
    validate_openapi(schema)  # openapi-spec-validator


@pytest.mark.parametrize(("method", "path"), CONTRACT)
def test_contract_endpoint_documented(generated, method, path):
    schema, _, _ = generated
    assert path in schema["paths"], sorted(schema["paths"])
    assert method in schema["paths"][path]


def test_attachment_and_stats_views_generate_without_warnings(generated):
    _, warnings, _ = generated
    assert [w for w in warnings if MY_VIEWS.search(w)] == []


def test_upload_is_multipart_and_download_binary(generated):
    schema, _, _ = generated
    upload = schema["paths"]["/api/complaints/{id}/attachments/"]["post"]
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]
    assert {"201", "400", "404", "409", "413", "415"} <= set(upload["responses"])
    download = schema["paths"]["/api/attachments/{id}/download/"]["get"]
    # Exactly the types an attachment can have (the download answers the stored file's type).
    assert set(download["responses"]["200"]["content"]) == set(ALLOWED_TYPES)
    stats = schema["paths"]["/api/stats/"]["get"]
    assert any(p["name"] == "days" for p in stats["parameters"])


def test_fail_on_warn(generated):
    """Same bar as ``manage.py spectacular --validate --fail-on-warn``: no warnings at all."""
    _, warnings, _ = generated
    assert warnings == []


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_every_error_response_has_the_error_shape(generated):
    schema, _, _ = generated
    for method, path, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if int(code) >= 400:
                content = response.get("content", {})
                assert list(content) == ["application/json"], (method, path, code)
                assert content["application/json"]["schema"], (method, path, code)


def test_standard_errors_follow_from_each_view(generated):
    schema, _, _ = generated
    for method, path, operation in _operations(schema):
        codes = set(operation["responses"])
        assert "406" in codes, (method, path)
        if operation.get("security") or path.startswith("/api/token/"):
            assert "401" in codes, (method, path)
        if "{" in path:
            assert "404" in codes, (method, path)
        if "requestBody" in operation:
            assert {"400", "413", "415"} <= codes, (method, path)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("post", "/api/token/"),
        ("post", "/api/token/refresh/"),
        ("post", "/api/token/verify/"),
        ("post", "/api/token/blacklist/"),
        ("post", "/api/users/"),
        ("post", "/api/users/me/password/"),
    ],
)
def test_throttled_operations_document_429(generated, method, path):
    schema, _, _ = generated
    assert {"429", "503"} <= set(schema["paths"][path][method]["responses"])


def test_explicit_responses_are_kept(generated):
    schema, _, _ = generated
    transition = schema["paths"]["/api/complaints/{id}/transition/"]["post"]["responses"]
    assert transition["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Conflict"
    }
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_query_parameter_limits_are_in_the_schema(generated):
    schema, _, _ = generated
    parameters = {p["name"]: p for p in schema["paths"]["/api/complaints/"]["get"]["parameters"]}
    assert parameters["q"]["schema"]["minLength"] == 2
    for meaning in ("email", "reference", "every word", "customer's name", "internal notes"):
        assert meaning in parameters["q"]["description"]
    assert parameters["q"]["schema"]["maxLength"] == 200
    assert parameters["page"]["schema"]["minimum"] == 1
    assert parameters["page_size"]["schema"] | {"default": None} == {
        "type": "integer",
        "minimum": 1,
        "maximum": 100,
        "default": None,
    }
    assert parameters["priority"]["schema"]["items"]["type"] == "string"
    assert parameters["status"]["allowEmptyValue"] is True
    days = schema["paths"]["/api/stats/"]["get"]["parameters"][0]["schema"]
    assert (days["minimum"], days["maximum"]) == (1, 365)


def test_text_fields_state_what_drf_refuses(generated):
    schema, _, _ = generated
    title = schema["components"]["schemas"]["ComplaintCreateInRequest"]["properties"]["title"]
    pattern = re.compile(title["pattern"])
    assert pattern.match("A kettle")
    assert not pattern.match(" \t\u3000")  # blank once trimmed
    assert not pattern.match("nul\x00byte")


def test_workflow_documents_every_answer(generated):
    schema, _, _ = generated
    workflow = schema["paths"]["/api/workflow/"]["get"]
    assert set(workflow["responses"]) == {"200", "304", "401", "406"}
    detail = schema["components"]["schemas"]["ComplaintOut"]["properties"]
    for flag in ("can_comment", "can_upload", "can_give_feedback", "can_post_internal"):
        assert detail[flag]["type"] == "boolean"
