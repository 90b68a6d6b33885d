"""Threats, alerts and deliveries: logging and changing a threat (services.py), the fan-out to
the recipient agencies (fanout.py), sending over email, SMS and webhooks (deliveries.py,
transports.py), escalation and the beat's sweep (escalation.py), the Celery tasks (tasks.py),
CAP 1.2 in and out (cap/), reads and access (selectors.py), the API (api.py, serializers.py,
filters.py, api_urls.py) and the dashboard pages (views.py, presenters.py, forms.py, urls.py).

The models stay in incidents/models/threats.py.
"""
