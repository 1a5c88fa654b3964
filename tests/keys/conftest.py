"""Fixtures of the key rotation tests (helpers in ``tests/keys/_support.py``)."""

from collections.abc import Iterator

import pytest

from tests.keys._support import KeySwitch


@pytest.fixture
def switch_keys() -> Iterator[KeySwitch]:
    switch = KeySwitch()
    yield switch
    switch.reset()
