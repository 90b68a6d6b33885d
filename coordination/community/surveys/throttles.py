"""Rate limits of the public survey pages and API (how they count: common/throttling.py).

Looser than /lapor/'s: the people answering after an event share the venue's Wi-Fi or their
operator's carrier-grade NAT, so one address is often many respondents. One answer per device
or tracking code is the other limit (services.survey_answer_submit).
"""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle

from common.throttling import WindowsThrottle


class SurveyAnswerThrottle(WindowsThrottle):
    scope = "survey_answer"
    windows = (("SINERGI_SURVEY_RATE_MINUTE", "20/minute"), ("SINERGI_SURVEY_RATE_DAY", "500/day"))


class SurveyReadThrottle(WindowsThrottle):
    scope = "survey_read"
    windows = (("SINERGI_SURVEY_READ_RATE", "120/minute"),)
    methods = ("GET", "HEAD")


ANSWER_THROTTLES: tuple[type[SimpleRateThrottle], ...] = (SurveyAnswerThrottle,)
READ_THROTTLES: tuple[type[SimpleRateThrottle], ...] = (SurveyReadThrottle,)
