import pytest
import time_machine

from coordination.evaluations import services


@pytest.fixture(autouse=True)
def _clock():
    """Pinned after the evaluated quarter (Q3 2026) ended: Q4 2026 is the current one."""
    with time_machine.travel("2026-11-20 10:00 +08:00", tick=False):
        yield


@pytest.fixture
def counting_engine(monkeypatch):
    """The engine's edge replaced by one that counts the incidents now: a change of the data
    changes what a recompute gives (the placeholder engine's numbers are all None)."""
    from incidents.models import Incident

    def compute(*, scope, period, targets):
        return {
            "version": 1,
            "period": period.as_dict(),
            "kpis": {"incidents.total": {"value": Incident.objects.count()}},
        }

    monkeypatch.setattr(services, "compute_snapshot", compute)
