"""Rate limit of the public registration for programmes (how it counts: common/throttling.py)."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from common.throttling import WindowsThrottle


class ProgrammeRegisterThrottle(WindowsThrottle):
    """Registrations per client address: a family registering its members fits, a script does not."""

    scope = "programme_register"
    windows = (
        ("SINERGI_PROGRAMME_REGISTER_RATE_MINUTE", "5/minute"),
        ("SINERGI_PROGRAMME_REGISTER_RATE_DAY", "30/day"),
    )


REGISTER_THROTTLES: tuple[type[SimpleRateThrottle], ...] = (ProgrammeRegisterThrottle,)
