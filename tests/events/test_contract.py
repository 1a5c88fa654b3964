"""The contract other teams consume and produce by (docs/events.md)."""

import json
from pathlib import Path

import jsonschema
import pytest
from django.db import transaction
from kafka.partitioner.default import DefaultPartitioner, murmur2

from complaints.events import ComplaintEvent
from events import dispatch
from events.envelope import SCHEMA_VERSION, decode, encode, envelope_for
from events.models import OutboxEvent
from tests.factories import CategoryFactory, UserFactory

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "events" / "schemas" / "envelope-v1.json").read_text()
)
VALIDATOR = jsonschema.Draft202012Validator(
    SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
)


@pytest.mark.django_db
def test_a_real_envelope_matches_the_published_schema():
    from complaints.services import complaint_create

    customer = UserFactory()
    with transaction.atomic():
        complaint = complaint_create(
            customer=customer,
            category=CategoryFactory(),
            title="Schema check",
            description="details",
            channel="web",
            priority=2,
            actor=customer,
        )
    events = list(OutboxEvent.objects.filter(aggregate_id=complaint.id))
    assert events
    for event in events:
        wire = json.loads(encode(envelope_for(event)))
        VALIDATOR.validate(wire)
        assert decode(encode(wire)).as_dict() == wire


def test_the_schema_knows_every_event_type_and_version():
    types = SCHEMA["properties"]["type"]["enum"]
    assert set(types) == {event.value for event in ComplaintEvent}
    assert all(dispatch.is_known(event_type) for event_type in types)
    assert SCHEMA["properties"]["schema_version"]["const"] == SCHEMA_VERSION


@pytest.mark.parametrize(
    "broken",
    [
        {"type": "complaint.exploded"},
        {"schema_version": 2},
        {"aggregate_id": "not-a-uuid"},
        {"payload": []},
        {"extra": 1},
    ],
)
def test_the_schema_refuses_what_the_consumer_refuses(broken):
    from tests.events.conftest import valid_envelope

    envelope = valid_envelope(**broken)

    assert not VALIDATOR.is_valid(envelope)


# (key, partition of 1000) as the Java client's murmur2 computes them: the values any
# producer on the topic must reproduce (librdkafka needs partitioner=murmur2_random).
JAVA_MURMUR2_PARTITIONS = [
    (b"", 681),
    (b"a", 524),
    (b"ab", 434),
    (b"abc", 107),
    (b"123456789", 566),
    (b"\x00 ", 742),
]


@pytest.mark.parametrize(("key", "partition"), JAVA_MURMUR2_PARTITIONS)
def test_partition_is_the_java_clients_murmur2_as_documented(key, partition):
    """docs/events.md: partition = (murmur2(key) & 0x7fffffff) % partitions."""
    assert (murmur2(key) & 0x7FFFFFFF) % 1000 == partition


def test_the_relay_keeps_kafka_pythons_default_partitioner(monkeypatch):
    from kafka import KafkaProducer

    from events import kafka

    configs = []
    monkeypatch.setattr(kafka, "KafkaProducer", lambda **config: configs.append(config))

    kafka.make_producer()

    (config,) = configs
    assert "partitioner" not in config
    assert isinstance(KafkaProducer.DEFAULT_CONFIG["partitioner"], DefaultPartitioner)
