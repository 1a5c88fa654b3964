import pytest

from complaints import signals

SIGNALS = {
    "created": signals.complaint_created,
    "status_changed": signals.complaint_status_changed,
    "assigned": signals.complaint_assigned,
    "commented": signals.complaint_commented,
    "feedback_received": signals.complaint_feedback_received,
    "updated": signals.complaint_updated,
}


class SignalLog(list):
    def named(self, name: str) -> list[dict]:
        return [kwargs for signal_name, kwargs in self if signal_name == name]


@pytest.fixture
def signal_log():
    """Every complaint domain signal sent during the test, as (name, kwargs)."""
    log = SignalLog()
    receivers = []
    for name, signal in SIGNALS.items():

        def receiver(sender, signal=None, _name=name, **kwargs):
            from complaints.models import Complaint

            assert sender is Complaint
            log.append((_name, kwargs))

        signal.connect(receiver, weak=False)
        receivers.append((signal, receiver))
    yield log
    for signal, receiver in receivers:
        signal.disconnect(receiver)
