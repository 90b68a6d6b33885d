"""`manage.py capabilities`: print the capability table (agencies/roles.py) as Markdown, the
table of docs/security.md's "What each role may do"."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from agencies.roles import capabilities_markdown


class Command(BaseCommand):
    help = "Print who may do what (agencies/roles.py CAPABILITIES) as a Markdown table."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(capabilities_markdown(), ending="")
