"""Rate limits of the public citizen-report endpoints (how they count: common/throttling.py)."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from common.throttling import WindowsThrottle


class ReportSubmitThrottle(WindowsThrottle):
    scope = "report_submit"
    windows = (("SINERGI_REPORT_RATE_MINUTE", "5/minute"), ("SINERGI_REPORT_RATE_DAY", "50/day"))


class ReportTrackThrottle(WindowsThrottle):
    scope = "report_track"
    windows = (("SINERGI_REPORT_TRACK_RATE", "60/minute"),)
    methods = ("GET", "HEAD")


SUBMIT_THROTTLES: tuple[type[SimpleRateThrottle], ...] = (ReportSubmitThrottle,)
TRACK_THROTTLES: tuple[type[SimpleRateThrottle], ...] = (ReportTrackThrottle,)
