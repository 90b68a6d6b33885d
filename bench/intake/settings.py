"""Settings of the intake benchmark: the project's, plus a bare endpoint, without rate limits."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.intake.urls"
DEBUG = False
ALLOWED_HOSTS = ["*"]
SINERGI_REPORT_RATE_MINUTE = "100000000/minute"
SINERGI_REPORT_RATE_DAY = "100000000/day"
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
