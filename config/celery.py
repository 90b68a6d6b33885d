"""The Celery app. Broker and behaviour come from Django settings (CELERY_* names)."""

import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PROJECT_APPS = ("agencies", "incidents", "coordination")

app = Celery("sinergi")
app.config_from_object("django.conf:settings", namespace="CELERY")


def task_packages() -> list[str]:
    """Every package of the project's apps that holds a `tasks.py`: the apps and their feature
    packages (`incidents.threats`), so that a new feature's tasks register without a shim."""
    root = Path(__file__).resolve().parent.parent
    found = []
    for app_name in PROJECT_APPS:
        for tasks in sorted((root / app_name).rglob("tasks.py")):
            package = tasks.parent.relative_to(root)
            if "migrations" not in package.parts:
                found.append(".".join(package.parts))
    return found


app.autodiscover_tasks(task_packages)
