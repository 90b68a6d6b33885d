import time

from django.core.management.base import BaseCommand

from agencies.demo import seed_demo
from coordination.demo import seed_activity


class Command(BaseCommand):
    help = (
        "Load the demo world (real areas, fictitious agencies and people) and its activity "
        "(incidents, reports, risks, a threat, an operation with patrols, an exercise). Idempotent."
    )

    # It lives in coordination, the top of the dependency chain, because it seeds every app.

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        result = seed_demo()
        made = seed_activity()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready in {time.monotonic() - started:.1f} s: {result.agencies} agencies, "
                f"{result.users} users ({result.created_users} new); new activity: "
                + ", ".join(f"{n} {kind}" for kind, n in made.items())
                + "."
            )
        )
        self.stdout.write("\nDemo logins (http://127.0.0.1:8000/):")
        width = max(len(u) for u, _, _ in result.logins)
        for username, password, what in result.logins:
            self.stdout.write(f"  {username.ljust(width)}  {password}  {what}")
        self.stdout.write("")
