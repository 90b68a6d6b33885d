import contextlib
import io
import logging
import time
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from agencies.demo import seed_demo
from agencies.manage.demo import seed_manage_demo
from coordination.demo import seed_activity

# Loggers that report each eager Celery task and each broker connection: noise during a seed.
QUIET_LOGGERS = ("celery", "kombu", "incidents", "coordination", "agencies")


@contextlib.contextmanager
def quiet_side_effects() -> Iterator[dict[str, int]]:
    """E-mail to memory, console SMS and task logs swallowed, for the length of the seed.

    The demo's threat alerts some thirty people: with the console e-mail backend `make run`
    used to print about 250 lines of e-mail before the logins. Counts land in the yielded dict.
    """
    counts = {"emails": 0, "sms": 0}
    swallowed = io.StringIO()
    loggers = [logging.getLogger(name) for name in QUIET_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING + 1 if logger.name == "kombu" else logging.WARNING)
    # locmem keeps the messages in django.core.mail.outbox; make sure it exists outside tests.
    outbox_before = getattr(mail, "outbox", None)
    mail.outbox = []
    try:
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
            contextlib.redirect_stdout(swallowed),
        ):
            yield counts
    finally:
        counts["emails"] = len(mail.outbox)
        counts["sms"] = swallowed.getvalue().count("[SMS to ")
        if outbox_before is None:
            del mail.outbox
        else:
            outbox_before.extend(mail.outbox)
            mail.outbox = outbox_before
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = (
        "Load the demo world (real areas, fictitious agencies and people) and its activity "
        "(incidents, reports, risks, a threat, an operation with patrols, an exercise). Idempotent. "
        "E-mail and SMS sent meanwhile are kept in memory, not printed; the logins come last."
    )

    # It lives in coordination, the top of the dependency chain, because it seeds every app.

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--url",
            default="",
            help="The address the portal is served at, printed above the logins (default: SINERGI_SITE_URL).",
        )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        with quiet_side_effects() as sent:
            result = seed_demo()
            made = seed_activity()
            admin = get_user_model().objects.get(username="admin")
            made.update(seed_manage_demo(actor=admin))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready in {time.monotonic() - started:.1f} s: {result.agencies} agencies, "
                f"{result.users} users ({result.created_users} new); new activity: "
                + ", ".join(f"{n} {kind}" for kind, n in made.items())
                + "."
            )
        )
        if sent["emails"] or sent["sms"]:
            self.stdout.write(
                f"The seed's alerts sent {sent['emails']} e-mails and {sent['sms']} SMS: kept in memory, not printed "
                "(the same alerts are in each person's in-app inbox)."
            )
        url = (options["url"] or settings.SITE_URL).rstrip("/") + "/"
        if result.totp_key:
            self.stdout.write(
                "\nTwo-factor login: admin and the commanders enter a code after the password. Add this key "
                f"to an authenticator app (time-based, 6 digits): {result.totp_key}\n"
                "or print the current code with `.venv/bin/python manage.py demo_code`."
            )
        self.stdout.write(f"\nDemo logins for {url}")
        width = max(len(u) for u, _, _ in result.logins)
        for username, password, what in result.logins:
            self.stdout.write(f"  {username.ljust(width)}  {password}  {what}")
        self.stdout.write(f"\nOpen {url} and log in with one of the logins above.")
