"""Complaint search without plaintext: a keyed blind index of normalised words.

Every complaint carries ``search_tokens``: one 64-bit token per distinct normalised word of
its title, description, comments and its customer's name, ``HMAC-SHA256(BLIND_INDEX_KEY,
scope NUL word)`` cut to 8 bytes (a GIN index serves it). The scope keeps words apart by where
they come from: ``text`` (title, description, public comments), ``note`` (internal notes: only
staff searches ask for them, so a customer's search cannot tell that a note holds a word) and
``name`` (the customer's name, rewritten in place when it changes). Nothing is decrypted to
search and no plaintext is stored; what the tokens leak is in ``docs/security.md``.

``q`` is read as one of three things:
- an email address (contains ``@``): complaints of the customer with exactly that email, by
  the accounts blind index;
- a reference or its start (``CMP-...``, any case): ``reference LIKE 'Q%'`` on its index;
- otherwise words: complaints holding every word (AND), each word exactly as normalised
  (no substrings or prefixes).

The tokens are written by the services in the use case's transaction (``tokens_for``,
``search_tokens_add``, ``search_reindex``), by the erasure (``search_reindex``), on a rename
(``search_customer_renamed``) and by ``manage.py rebuild_search_index`` after a blind index
key rotation; while ``BLIND_INDEX_KEY_PREVIOUS`` is set, a word matches under either key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from uuid import UUID

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.lookups import Overlap
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BigIntegerField, F, Func, QuerySet, Value

from accounts.blind_index import email_blind_indexes
from accounts.models import User
from complaints.models import REFERENCE_PREFIX, Comment, Complaint

WORD = re.compile(r"\w+")
# Shorter words are not indexed (and not searched for).
MIN_WORD_LENGTH = 2
# More words than this in one search are a 400: each is one more condition on every row.
MAX_QUERY_WORDS = 8
# Words in nearly every English text: indexing them costs space and finds everything.
STOPWORDS = frozenset(
    {
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "for",
        "from",
        "has",
        "have",
        "i",
        "in",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "so",
        "that",
        "the",
        "their",
        "there",
        "this",
        "to",
        "was",
        "we",
        "were",
        "with",
        "you",
        "your",
    }
)
TOKEN_BYTES = 8


class Scope(StrEnum):
    TEXT = "text"
    NOTE = "note"
    NAME = "name"


def normalise_words(text: str) -> set[str]:
    """The distinct searchable words of ``text``.

    Compatibility-decomposed (NFKD) with combining marks dropped (``café`` is ``cafe``,
    ``ﬁ`` is ``fi``), case-folded, split on every non-word character; words shorter than
    ``MIN_WORD_LENGTH`` and ``STOPWORDS`` are left out.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return {
        word
        for word in WORD.findall(unicodedata.normalize("NFKC", plain))
        if len(word) >= MIN_WORD_LENGTH and word not in STOPWORDS
    }


@lru_cache(maxsize=65536)
def _token(key: str, scope: Scope, word: str) -> int:
    digest = hmac.new(key.encode(), f"{scope}\x00{word}".encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:TOKEN_BYTES], "big", signed=True)


def _keys() -> list[str]:
    """The current key first, then the previous one while a rotation runs."""
    return [key for key in (settings.BLIND_INDEX_KEY, settings.BLIND_INDEX_KEY_PREVIOUS) if key]


def text_tokens(text: str, *, scope: Scope = Scope.TEXT) -> set[int]:
    """The tokens a row stores for ``text`` (under the current key)."""
    key = settings.BLIND_INDEX_KEY
    return {_token(key, scope, word) for word in normalise_words(text)}


@dataclass(frozen=True)
class SearchSource:
    """Everything a complaint's tokens are made of (decrypted)."""

    title: str
    description: str
    customer_name: str
    comments: Iterable[tuple[str, bool]] = ()  # (body, is_internal)


def tokens_for(source: SearchSource) -> list[int]:
    """A complaint's ``search_tokens``: sorted, distinct."""
    tokens = text_tokens(source.title) | text_tokens(source.description)
    tokens |= text_tokens(source.customer_name, scope=Scope.NAME)
    for body, internal in source.comments:
        tokens |= text_tokens(body, scope=Scope.NOTE if internal else Scope.TEXT)
    return sorted(tokens)


# --------------------------------------------------------------------------- writes


def search_tokens_add(*, complaint: Complaint, text: str, internal: bool) -> None:
    """Add the words of a new comment to a complaint the caller holds locked."""
    added = text_tokens(text, scope=Scope.NOTE if internal else Scope.TEXT)
    if added.issubset(complaint.search_tokens):
        return
    complaint.search_tokens = sorted(added.union(complaint.search_tokens))
    Complaint.objects.filter(pk=complaint.pk).update(search_tokens=complaint.search_tokens)


_WRITE_TOKENS = """
UPDATE complaints_complaint AS c SET search_tokens = v.new::bigint[]
FROM unnest(%s::uuid[], %s::text[], %s::text[]) AS v(id, old, new)
WHERE c.id = v.id AND c.search_tokens = v.old::bigint[]
"""


def _array(tokens: Iterable[int]) -> str:
    return "{" + ",".join(map(str, tokens)) + "}"


@dataclass(frozen=True)
class Reindexed:
    stale: int  # rows whose tokens were not what their texts give
    written: int  # of those, rewritten (the rest changed meanwhile: their writer set them)


def search_reindex(
    *, complaint_ids: Collection[UUID], nameless_customers: Collection[UUID] = ()
) -> Reindexed:
    """Recompute the tokens of these complaints from their texts.

    Customers in ``nameless_customers`` (being erased) contribute no name words. A row is
    written only if its tokens are wrong and still the ones read (a comment added meanwhile
    wrote its own), so a rerun after a rotation skips what is done.
    """
    if not complaint_ids:
        return Reindexed(stale=0, written=0)
    rows = Complaint.objects.filter(pk__in=complaint_ids).values_list(
        "id", "title", "description", "customer_id", "customer__full_name", "search_tokens"
    )
    comments: dict[UUID, list[tuple[str, bool]]] = {}
    for complaint_id, body, internal in Comment.objects.filter(
        complaint_id__in=complaint_ids
    ).values_list("complaint_id", "body", "is_internal"):
        comments.setdefault(complaint_id, []).append((body, internal))
    stale: list[tuple[str, str, str]] = []
    for complaint_id, title, description, customer_id, name, current in rows:
        source = SearchSource(
            title=title,
            description=description,
            customer_name="" if customer_id in nameless_customers else name,
            comments=comments.get(complaint_id, ()),
        )
        tokens = tokens_for(source)
        if tokens != current:
            stale.append((str(complaint_id), _array(current), _array(tokens)))
    if not stale:
        return Reindexed(stale=0, written=0)
    ids, olds, news = (list(column) for column in zip(*stale, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(_WRITE_TOKENS, [ids, olds, news])
        return Reindexed(stale=len(stale), written=cursor.rowcount)


_RENAME = """
UPDATE complaints_complaint SET search_tokens = ARRAY(
    SELECT DISTINCT t FROM unnest(search_tokens || %(new)s::bigint[]) AS t
    WHERE t <> ALL(%(old)s::bigint[]) OR t = ANY(%(new)s::bigint[]) ORDER BY t
)
WHERE customer_id = %(customer)s
"""


def search_customer_renamed(*, user: User, old_name: str) -> None:
    """Swap the old name's words for the new name's on every complaint of ``user``.

    Old words are removed under every key still in use; nothing is decrypted.
    """
    old_words = normalise_words(old_name)
    old = sorted({_token(key, Scope.NAME, word) for key in _keys() for word in old_words})
    new = sorted(text_tokens(user.full_name, scope=Scope.NAME))
    if old == new:
        return
    with connection.cursor() as cursor:
        cursor.execute(_RENAME, {"new": new, "old": old, "customer": user.pk})


@dataclass(frozen=True)
class ReindexBatch:
    rows: int
    stale: int
    written: int
    last_id: UUID | None  # None: nothing after the cursor


def search_reindex_batch(*, after_id: UUID | None, batch_size: int) -> ReindexBatch:
    """Recompute the tokens of the ``batch_size`` complaints after ``after_id`` (None: first)."""
    ids = Complaint.objects.order_by("id")
    if after_id is not None:
        ids = ids.filter(id__gt=after_id)
    batch = list(ids.values_list("id", flat=True)[:batch_size])
    if not batch:
        return ReindexBatch(rows=0, stale=0, written=0, last_id=None)
    with transaction.atomic():
        done = search_reindex(complaint_ids=batch)
    return ReindexBatch(rows=len(batch), stale=done.stale, written=done.written, last_id=batch[-1])


# A token in at least this share of complaints is "common": its condition is kept away from the
# GIN index (see ``search_filter``). The set is read from the planner's statistics by
# ``search_statistics_refresh`` (a beat task, the rebuild, the demo seed) and kept in the cache,
# so a search reads it from Redis, never with a database query of its own.
COMMON_TOKEN_SHARE = 0.1
COMMON_TOKENS_CACHE_KEY = "complaints:search:common-tokens"
COMMON_TOKENS_CACHE_SECONDS = 3600

_COMMON_TOKENS = """
SELECT most_common_elems::text::bigint[], most_common_elem_freqs FROM pg_stats
WHERE schemaname = current_schema() AND tablename = 'complaints_complaint'
AND attname = 'search_tokens'
"""


def search_statistics_refresh(*, analyze: bool = False) -> int:
    """Cache the common tokens (``COMMON_TOKEN_SHARE``) from the planner's statistics, after
    ``ANALYZE`` of the tokens if ``analyze``; returns how many are common.

    The planner reads a word's frequency from the same statistics to choose between the GIN
    index (rare word) and an ordering index (common word).
    """
    with connection.cursor() as cursor:
        if analyze:
            cursor.execute("ANALYZE complaints_complaint (search_tokens)")
        cursor.execute(_COMMON_TOKENS)
        row = cursor.fetchone()
    common: list[int] = []
    if row is not None and row[0] is not None:
        # The frequencies list ends with three summary numbers after the elements' own.
        elements, freqs = row
        pairs = zip(elements, freqs, strict=False)
        common = sorted(e for e, f in pairs if f >= COMMON_TOKEN_SHARE)
    cache.set(COMMON_TOKENS_CACHE_KEY, common, COMMON_TOKENS_CACHE_SECONDS)
    return len(common)


def _common_tokens() -> frozenset[int]:
    return frozenset(cache.get(COMMON_TOKENS_CACHE_KEY) or ())


class _Unindexed(Func):
    """``search_tokens || '{}'``: the same array, in a form the GIN index cannot serve."""

    template = "(%(expressions)s || '{}'::bigint[])"
    output_field = ArrayField(BigIntegerField())


# --------------------------------------------------------------------------- reads


def query_word_tokens(value: str, *, internal: bool) -> list[list[int]]:
    """For each word of ``value``, every token that counts as that word.

    Scopes: text and the customer's name, and internal notes when ``internal``; keys: the
    current and, during a rotation, the previous one.
    """
    scopes = [Scope.TEXT, Scope.NAME, *([Scope.NOTE] if internal else [])]
    words = sorted(normalise_words(value))
    if len(words) > MAX_QUERY_WORDS:
        raise ValidationError({"q": [f"Search for at most {MAX_QUERY_WORDS} words."]})
    keys = _keys()
    return [[_token(key, scope, word) for key in keys for scope in scopes] for word in words]


# A search by words counts its matches exactly up to this many (the list's count cap): a word in
# a few percent of a million complaints has tens of thousands of GIN entries, and counting a
# thousand of them cost 10 ms per request at 1M ("parcel"), a hundred 3 ms.
SEARCH_COUNT_CAP = 100


def _is_email(value: str) -> bool:
    return "@" in value


def _is_reference(value: str) -> bool:
    return value.upper().startswith(REFERENCE_PREFIX)


def searches_words(value: str) -> bool:
    """Whether the search ``value`` looks for words (not an email address or a reference), as
    ``search_filter`` reads it."""
    value = value.strip()
    return bool(value) and not _is_email(value) and not _is_reference(value)


def search_filter(qs: QuerySet[Complaint], *, value: str, internal: bool) -> QuerySet[Complaint]:
    """``qs`` narrowed to the complaints matching the search ``value`` (see the module doc).

    ``internal``: words of internal notes count too (``visibility.sees_internal_notes``).

    One condition per word on the complaint row itself (``search_tokens && ARRAY[...]``), so it
    combines with any filter and ordering: the planner walks an ordering index and checks
    each row for a common word, or reads the GIN index for a rare one. A word in at least
    ``COMMON_TOKEN_SHARE`` of complaints is checked on the rows only: reading its GIN entries
    (hundreds of thousands at 1M) costs more than any other plan, yet the planner's estimate
    of the GIN scan is low enough that it combines them with other filters' indexes
    (a BitmapAnd, 185 ms at 1M for "tracking" in an agent's queue, 26 ms without).
    """
    value = value.strip()
    if not value:
        return qs
    if _is_email(value):
        customers = User.objects.filter(email_hash__in=email_blind_indexes(value))
        return qs.filter(customer_id__in=customers.values("pk"))
    if _is_reference(value):
        return qs.filter(reference__startswith=value.upper())
    words = query_word_tokens(value, internal=internal)
    if not words:
        # Matches nothing, as a condition rather than ``none()``: the list builds its SQL text
        # from the query, and an empty query has none.
        return qs.filter(search_tokens__overlap=[])
    common = _common_tokens()
    for tokens in words:
        if common.isdisjoint(tokens):
            qs = qs.filter(search_tokens__overlap=tokens)
        else:
            qs = qs.filter(Overlap(_Unindexed(F("search_tokens")), Value(tokens)))
    return qs
