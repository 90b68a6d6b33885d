"""The registry of inbox kinds: what each kind of entry is about and how it is grouped.

A kind is `<group>.<event>`; the group is what the inbox's "kind" filter offers. Alerts are
not `InboxItem` rows (they are the threats' in-app deliveries, see `selectors`) but are the
group "alert" of the same inbox.

To plug a new kind of record in (bulletins, meetings, assignments):
1. add a nullable foreign key to the record on `coordination.models.InboxItem` (migration);
2. add its kinds here with `ref` naming that field and the group;
3. add a resolver to `selectors.RESOLVERS` for the group: given the reader and the entries,
   one query for which records the reader may read now, and the text of each entry;
4. write entries through `services.inbox_deliver(...)`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    code: str
    group: str
    ref: str  # the InboxItem field holding the record


KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind("operation.added", "operation", "operation"),
        Kind("operation.changed", "operation", "operation"),
        Kind("operation.started", "operation", "operation"),
        Kind("operation.removed", "operation", "operation"),
        Kind("bulletin.issued", "bulletin", "bulletin"),
        Kind("bulletin.amended", "bulletin", "bulletin"),
        Kind("bulletin.reminder", "bulletin", "bulletin"),
        Kind("bulletin.escalation", "bulletin", "bulletin"),
        Kind("bulletin.withdrawn", "bulletin", "bulletin"),
        Kind("meeting.invited", "meeting", "meeting"),
        Kind("meeting.changed", "meeting", "meeting"),
        Kind("meeting.cancelled", "meeting", "meeting"),
        Kind("programme.approved", "programme", "programme"),
        Kind("programme.cancelled", "programme", "programme"),
        Kind("report.answered", "report", "report"),
        Kind("evaluation.published", "evaluation", "evaluation"),
    )
}

# The groups the filter offers, in order; "alert" is the threats' deliveries. Assignments add
# theirs when they exist.
GROUPS: dict[str, object] = {
    "alert": _("Alerts"),
    "bulletin": _("Bulletins"),
    "evaluation": _("Evaluations"),
    "meeting": _("Meetings"),
    "operation": _("Operations"),
    "programme": _("Programmes"),
    "report": _("Citizens' reports"),
}


def group_of(kind: str) -> str:
    return KINDS[kind].group if kind in KINDS else kind.split(".", 1)[0]
