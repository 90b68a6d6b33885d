"""The Celery tasks of the incidents app live in its feature packages (incidents/threats/tasks.py).

Celery's `app.autodiscover_tasks()` (config/celery.py) imports `<app>.tasks` of every installed
app, not the feature packages' modules: this import registers the threats' tasks with the
worker (their names, "incidents.tasks.threat_fan_out" and so on, are pinned where they are
defined).
"""

from incidents.threats import tasks as threats_tasks  # noqa: F401 - imported to register the tasks
