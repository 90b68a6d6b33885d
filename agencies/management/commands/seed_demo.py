import time

from django.core.management.base import BaseCommand

from agencies.demo import seed_demo


class Command(BaseCommand):
    help = "Load the demo world (real areas, fictitious agencies and people). Idempotent."

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        result = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready in {time.monotonic() - started:.1f} s: {result.agencies} agencies, "
                f"{result.users} users ({result.created_users} new)."
            )
        )
        self.stdout.write("\nDemo logins (http://127.0.0.1:8000/):")
        width = max(len(u) for u, _, _ in result.logins)
        for username, password, what in result.logins:
            self.stdout.write(f"  {username.ljust(width)}  {password}  {what}")
        self.stdout.write("")
