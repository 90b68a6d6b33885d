"""What a bulletin's events are called: one wording for the inbox and for e-mail and SMS."""

from __future__ import annotations

from django.utils.translation import gettext as _


def event_subject(event: str, title: str) -> str:
    """What a bulletin's event is called, in the active language: the inbox entry's text and the
    e-mail and SMS subject ("New bulletin: ..."); an unknown event is the title alone."""
    subjects = {
        "issued": _("New bulletin: %(title)s"),
        "amended": _("Bulletin amended: %(title)s"),
        "withdrawn": _("Bulletin withdrawn: %(title)s"),
        "reminder": _("Acknowledgement due: %(title)s"),
        "escalation": _("Not acknowledged by your agency: %(title)s"),
    }
    return subjects.get(event, "%(title)s") % {"title": title}
