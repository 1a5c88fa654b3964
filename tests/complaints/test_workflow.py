"""``complaints.workflow`` against the workflow typed out by hand (workflow_table.py)."""

import pytest

from complaints import workflow
from tests.complaints import workflow_table as table


def test_transitions_map_is_the_table():
    moves = {
        (str(start), str(to)): frozenset(str(role) for role in roles)
        for start, targets in workflow.TRANSITIONS.items()
        for to, roles in targets.items()
    }
    assert moves == table.MOVES
    assert {str(s) for s in workflow.TRANSITIONS} == set(table.STATUSES)


def test_statuses_and_labels():
    assert [(s.value, s.label) for s in workflow.Status] == [
        (s, table.LABELS[s]) for s in table.STATUSES
    ]


def test_status_sets():
    assert set(workflow.OPEN_STATUSES) == table.OPEN
    assert set(workflow.FINAL_STATUSES) == table.FINAL
    assert set(workflow.REASON_REQUIRED) == table.REASON_REQUIRED


@pytest.mark.parametrize("role", table.ROLES)
@pytest.mark.parametrize("status", table.STATUSES)
def test_allowed_next_statuses(status, role):
    assert workflow.allowed_next_statuses(status, role) == table.moves_for(status, role)
