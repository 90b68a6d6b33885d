"""Settings of the intake benchmark: the project's, plus a bare endpoint, without rate limits."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.intake.urls"
DEBUG = False
ALLOWED_HOSTS = ["*"]
# The real limits (5 a minute, 50 a day per client address), with clients spread over many
# addresses as in life: wrk sends a random X-Forwarded-For and we trust one proxy. A single
# address with the limits lifted would instead grow DRF's per-client history to tens of
# thousands of timestamps, a cost no real client causes.
SINERGI_NUM_PROXIES = 1
REST_FRAMEWORK = {**REST_FRAMEWORK, "NUM_PROXIES": 1}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
