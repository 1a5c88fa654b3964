"""complaints.search: the keyed blind index of words, written by the services and read by q."""

import hashlib
import hmac
import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from accounts.erasure import user_erase
from accounts.services import user_update_profile
from complaints import services
from complaints.models import Complaint
from complaints.search import (
    COMMON_TOKENS_CACHE_KEY,
    MAX_QUERY_WORDS,
    Scope,
    normalise_words,
    search_filter,
    search_statistics_refresh,
    text_tokens,
)
from complaints.selectors import complaint_list
from complaints.tasks import refresh_search_statistics
from complaints.visibility import complaints_visible_to, sees_internal_notes
from complaints_project.celery import app
from tests.helpers.complaints import make_complaint

pytestmark = pytest.mark.django_db


def found(user, q: str) -> set[str]:
    qs = search_filter(
        complaints_visible_to(user=user), value=q, internal=sees_internal_notes(user)
    )
    return set(qs.values_list("reference", flat=True))


def hand_token(key: str, scope: str, word: str) -> int:
    """The token written out independently of complaints.search."""
    digest = hmac.new(key.encode(), f"{scope}\x00{word}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def test_words_are_normalised():
    # Accents and ligatures folded, case folded; stopwords and 1-letter words dropped.
    text = "The CAFÉ's ﬁle, naïve  x 42 and-so-on Straße"
    assert normalise_words(text) == {"cafe", "file", "naive", "42", "strasse"}


def test_filing_stores_hmacs_of_words_never_the_words(customer, settings):
    complaint = make_complaint(
        customer=customer, title="Kettle", description="Sprinkler leaking everywhere"
    )
    tokens = Complaint.objects.get(pk=complaint.pk).search_tokens
    key = settings.BLIND_INDEX_KEY
    expected = {
        hand_token(key, "text", w) for w in ("kettle", "sprinkler", "leaking", "everywhere")
    } | {hand_token(key, "name", w) for w in normalise_words(customer.full_name)}
    assert set(tokens) == expected
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT search_tokens::text, description::text FROM complaints_complaint WHERE id = %s",
            [complaint.pk],
        )
        raw = " ".join(cursor.fetchone()).lower()
    for word in ("sprinkler", "leaking", "everywhere"):
        assert word not in raw


def test_finds_by_title_description_name_and_email(customer, other_customer, agent):
    customer.full_name = "Zoë Quintero-Bašić"
    customer.save()
    mine = make_complaint(customer=customer, title="Broken kettle", description="Lid snapped off")
    other = make_complaint(customer=other_customer, title="Kettle leaks", description="Water")
    assert found(agent, "kettle") == {mine.reference, other.reference}
    assert found(agent, "SNAPPED") == {mine.reference}
    assert found(agent, "zoe") == {mine.reference}
    assert found(agent, "basic quintero") == {mine.reference}
    assert found(agent, customer.email.upper()) == {mine.reference}
    assert found(agent, "kettle lid") == {mine.reference}  # every word
    assert found(agent, "kettle dishwasher") == set()
    assert found(agent, "dishwasher") == set()
    assert found(agent, "ket") == set()  # whole words only
    assert found(agent, "the and") == set()  # nothing searchable
    assert found(agent, "nobody@example.com") == set()


def test_reference_prefix_any_case(customer, agent):
    complaint = make_complaint(customer=customer)
    assert found(agent, complaint.reference.lower()) == {complaint.reference}
    assert complaint.reference in found(agent, complaint.reference[:-1])


def test_customers_search_only_their_own(customer, other_customer):
    mine = make_complaint(customer=customer, title="Kettle")
    make_complaint(customer=other_customer, title="Kettle")
    assert found(customer, "kettle") == {mine.reference}
    assert found(customer, other_customer.email) == set()


def test_comments_are_searched_and_internal_notes_only_by_staff(customer, agent):
    complaint = make_complaint(customer=customer)
    services.comment_create(complaint=complaint, author=customer, body="Tracking number 77ab")
    services.comment_create(complaint=complaint, author=agent, body="Courier fraud", internal=True)
    assert found(agent, "77ab") == found(customer, "77ab") == {complaint.reference}
    assert found(agent, "fraud") == {complaint.reference}
    assert found(customer, "fraud") == set()


def test_edit_rewrites_the_tokens(customer, agent):
    complaint = make_complaint(customer=customer, title="Toaster", description="Sparks fly")
    services.comment_create(complaint=complaint, author=customer, body="Smoke too")
    services.complaint_edit(
        complaint=complaint, actor=customer, title="Kettle", description="Steam burns"
    )
    assert found(agent, "toaster") == found(agent, "sparks") == set()
    assert found(agent, "kettle steam smoke") == {complaint.reference}


def test_rename_swaps_the_name_words_only(customer, agent):
    customer.full_name = "Ada Lovelace"
    customer.save()
    complaint = make_complaint(customer=customer, description="Ask for Ada at reception")
    user_update_profile(user=customer, full_name="Grace Hopper")
    assert found(agent, "lovelace") == set()
    assert found(agent, "hopper grace") == {complaint.reference}
    assert found(agent, "ada") == {complaint.reference}  # still in the description


def test_erasure_removes_what_the_customer_wrote_from_the_index(customer, agent):
    customer.full_name = "Ada Lovelace"
    customer.save()
    complaint = make_complaint(customer=customer, description="Sprinkler flooded")
    services.comment_create(complaint=complaint, author=customer, body="Basement ruined")
    services.comment_create(complaint=complaint, author=agent, body="Plumber booked")
    user_erase(user=customer)
    for word in ("lovelace", "sprinkler", "basement", "kettle"):
        assert found(agent, word) == set(), word
    assert found(agent, "plumber") == {complaint.reference}  # staff text stays


def test_too_many_words_is_a_validation_error(agent):
    words = " ".join(f"word{i}" for i in range(MAX_QUERY_WORDS + 1))
    with pytest.raises(ValidationError) as excinfo:
        found(agent, words)
    assert "q" in excinfo.value.message_dict


def test_rotation_matches_either_key_until_the_rebuild(customer, agent, settings):
    complaint = make_complaint(customer=customer, description="Sprinkler")
    old = settings.BLIND_INDEX_KEY
    settings.BLIND_INDEX_KEY, settings.BLIND_INDEX_KEY_PREVIOUS = "new-blind-index-key", old
    assert found(agent, "sprinkler") == {complaint.reference}  # still under the old key
    call_command("rebuild_search_index", stdout=io.StringIO())
    tokens = set(Complaint.objects.get(pk=complaint.pk).search_tokens)
    assert hand_token("new-blind-index-key", "text", "sprinkler") in tokens
    assert hand_token(old, "text", "sprinkler") not in tokens
    settings.BLIND_INDEX_KEY_PREVIOUS = ""
    assert found(agent, "sprinkler") == {complaint.reference}


def test_rebuild_fills_missing_tokens_and_is_idempotent(customer, agent, capsys):
    complaint = make_complaint(customer=customer, description="Sprinkler")
    services.comment_create(complaint=complaint, author=agent, body="Valve", internal=True)
    expected = Complaint.objects.get(pk=complaint.pk).search_tokens
    Complaint.objects.update(search_tokens=[])
    assert found(agent, "sprinkler") == set()
    call_command("rebuild_search_index", batch_size=1)
    assert "1 rewritten" in capsys.readouterr().out
    assert Complaint.objects.get(pk=complaint.pk).search_tokens == expected
    call_command("rebuild_search_index")
    assert "0 rewritten" in capsys.readouterr().out


def test_name_tokens_have_their_own_scope(customer):
    assert text_tokens("ada", scope=Scope.NAME).isdisjoint(text_tokens("ada"))


@pytest.mark.parametrize(
    "filters",
    [
        {"q": "kettle"},
        {"q": "kettle", "status": "new"},
        {"q": "kettle lid", "ordering": "-priority"},
    ],
)
def test_search_combines_with_filters_in_one_statement(customer, agent, filters):
    make_complaint(customer=customer, title="Kettle lid")
    listing = complaint_list(user=agent, filters=filters)
    sql, _ = listing.keys.query.sql_with_params()
    assert sql.count("SELECT") == 1
    assert sql.count("&&") == len(filters["q"].split())  # one condition per word
    assert [c.title for c in Complaint.objects.filter(pk__in=listing.keys.values("pk"))] == [
        "Kettle lid"
    ]


def test_a_common_word_is_checked_on_the_rows_not_read_from_the_gin_index(customer, agent):
    for i in range(30):
        make_complaint(customer=customer, title=f"Kettle {i}", description=f"Item{i}")
    # ANALYZE: "kettle" is in every complaint, "item7" in one.
    assert search_statistics_refresh(analyze=True) >= 1
    listing = complaint_list(user=agent, filters={"q": "kettle item7"})
    sql, _ = listing.keys.query.sql_with_params()
    assert sql.count("&&") == 2
    assert sql.count("|| '{}'::bigint[]) &&") == 1  # kettle: on the rows only
    assert [c.title for c in listing.keys] == ["Kettle 7"]


def test_beat_task_caches_the_common_words(customer):
    for i in range(20):
        make_complaint(customer=customer, title=f"Kettle {i}")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE complaints_complaint")
    assert refresh_search_statistics() >= 1
    assert text_tokens("kettle") <= set(cache.get(COMMON_TOKENS_CACHE_KEY))
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "complaints.tasks.refresh_search_statistics" in tasks
