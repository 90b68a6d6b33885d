"""Print the code the demo's authenticator shows now (`make run`'s admin and commanders)."""

from django.core.management.base import BaseCommand

from agencies.accounts.services import demo_totp_code, demo_totp_key_text


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo authenticator key (demo data only)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{demo_totp_code()}  (key {demo_totp_key_text()}, changes every 30 s)")
