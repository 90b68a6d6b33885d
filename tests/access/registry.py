"""What the permission matrix does with each API operation and each page.

One short entry per operation (`"METHOD /api/v1/path/{id}/"`, as the OpenAPI schema names it)
and per page (its URL name). tests/access/test_coverage.py fails when the schema or the URLconf
has one that is not here, or when an entry names one that no longer exists. To add one:

- a read of one record: `Detail("kind")` (answered for the world's record of that kind at every
  classification); a list: `List("kind")` (which records it shows); a read that shows no
  record of the world: `Read()`;
- a write: `Write("kind", roles, body)` on the world's record of that kind (the confidential
  one for classified kinds: the information-sharing partner reads it but may not change it;
  then the secret one as every persona outside the owner agency, who must get 404):
  `roles` are the capability's roles in the owner agency (agencies/roles.py); `create=True`
  when the roles may be held in any agency (a new record of one's own agency);
- a form page: `Form("kind", roles)` (GET: 200 to those who may change, 403 to those who only
  read, 404 to the others);
- else `Exempt("why")`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from agencies.roles import CAPABILITIES

Body = dict[str, Any] | Callable[[Any], dict[str, Any]]


@dataclass(frozen=True)
class Detail:
    kind: str
    audited: bool = True  # a confidential or secret read writes an audit row (False: say why)
    anonymous: int | None = None  # what an anonymous user gets, when not the login (pages) or 401 (API)


@dataclass(frozen=True)
class List:
    """`shows`: the list shows its records' text (else only its status is checked)."""

    kind: str
    query: Any = field(default_factory=dict)
    shows: bool = True


@dataclass(frozen=True)
class Read:
    """A read that names no record of the world (counts, a calendar, a search): members get
    200, anonymous users the login; `members_only`: a user of no agency gets 403/404 too."""

    members_only: bool = False
    public: bool = False
    anonymous: int | None = None  # what an anonymous user gets, when not the login (pages) or 401 (API)
    query: Any = field(default_factory=dict)


@dataclass(frozen=True)
class Write:
    kind: str | None
    roles: tuple[str, ...]
    body: Body = field(default_factory=dict)
    create: bool = False
    method: str = "post"
    ok: bool = True  # the body is valid: an allowed persona's request must succeed
    own: bool = False  # a write on the user's own data (any signed-in user)
    readers: bool = False  # roles held in any agency that reads the record (a note, a threat raised from it)
    parties: bool = False  # roles held in any party of the record (a partnership: O and I)
    staff: bool = True  # staff may (False: it needs an agency of one's own)
    recipients: bool = False  # roles held in an agency the record was sent to (a bulletin's acknowledgement)
    reads: str | None = None  # with `readers`: the rule of what the write needs to read, when not `kind`'s


@dataclass(frozen=True)
class Form:
    kind: str | None
    roles: tuple[str, ...]
    create: bool = False
    staff: bool = True  # staff get the form (False: it needs an agency of one's own to act for)
    own_agency: bool = False  # the agency's own business: other agencies' members get 404, not 403


@dataclass(frozen=True)
class Exempt:
    reason: str


def cap(name: str) -> tuple[str, ...]:
    return CAPABILITIES[name]


def _soon(hours: int) -> str:
    return (timezone.localtime() + datetime.timedelta(hours=hours)).isoformat()


def _today(days: int = 0) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


ANYONE = ("commander", "liaison", "planner", "analyst", "viewer")

API: dict[str, Any] = {
    # agencies
    "GET /api/v1/areas/": Read(),
    "GET /api/v1/areas/{id}/": Detail("area"),
    "GET /api/v1/agencies/": List("agency"),
    "GET /api/v1/agencies/{id}/": Detail("agency"),
    "PATCH /api/v1/agencies/{id}/": Write("agency", cap("agency.edit"), {"duty_phone": "+62 548 1"}, method="patch"),
    "GET /api/v1/agencies/{id}/audit/": Form("agency", cap("audit.read"), own_agency=True),
    "GET /api/v1/members/": List("membership"),
    "POST /api/v1/members/": Write(
        None,
        cap("agency.members"),
        lambda w: {"user": w.users["noagency"].pk, "agency": w.agencies.owner.pk, "role": "viewer"},
    ),
    "GET /api/v1/members/{id}/": Detail("membership"),
    "PATCH /api/v1/members/{id}/": Write("membership", cap("agency.members"), {"role": "analyst"}, method="patch"),
    "DELETE /api/v1/members/{id}/": Write("membership", cap("agency.members"), method="delete"),
    "GET /api/v1/partnerships/": List("partnership"),
    "POST /api/v1/partnerships/": Write(
        None,
        cap("partnership.propose"),
        lambda w: {
            "title": "MoU baru",
            "agencies": [w.agencies.owner.pk, w.agencies.outsider.pk],
            "training": True,
            "valid_from": _today(),
        },
        create=True,
        ok=False,
    ),
    "GET /api/v1/partnerships/{id}/": Detail("partnership"),
    "POST /api/v1/partnerships/{id}/accept/": Write("partnership", cap("partnership.accept"), ok=False, parties=True),
    "POST /api/v1/partnerships/{id}/decline/": Write("partnership", cap("partnership.accept"), ok=False, parties=True),
    "POST /api/v1/partnerships/{id}/end/": Write("partnership", cap("partnership.end"), ok=False, parties=True),
    "GET /api/v1/subscriptions/": List("subscription"),
    "POST /api/v1/subscriptions/": Write(
        None,
        cap("agency.manage"),
        lambda w: {"agency": w.agencies.owner.pk, "name": "Baru", "channels": ["in_app"]},
        ok=False,
    ),
    "GET /api/v1/subscriptions/{id}/": Detail("subscription"),
    "PATCH /api/v1/subscriptions/{id}/": Write(
        "subscription", cap("agency.manage"), {"name": "Diubah"}, method="patch"
    ),
    "DELETE /api/v1/subscriptions/{id}/": Write("subscription", cap("agency.manage"), method="delete"),
    "POST /api/v1/subscriptions/{id}/rotate-secret/": Write("subscription", cap("agency.manage")),
    "POST /api/v1/subscriptions/{id}/test-alert/": Write("subscription", cap("agency.manage")),
    "GET /api/v1/invitations/": List("invitation"),
    "POST /api/v1/invitations/": Write(
        None,
        cap("agency.members"),
        lambda w: {"agency": w.agencies.owner.pk, "email": "baru@mtx.test", "role": "viewer"},
    ),
    "GET /api/v1/invitations/{id}/": Detail("invitation"),
    "POST /api/v1/invitations/{id}/revoke/": Write("invitation", cap("agency.members")),
    "GET /api/v1/vital-objects/": List("vital_object"),
    "POST /api/v1/vital-objects/": Write(
        None,
        cap("agency.manage"),
        lambda w: {
            "name": "Pelabuhan",
            "kind": "port",
            "area": w.agencies.areas.guntung.pk,
            "operator": w.agencies.owner.pk,
        },
        ok=False,
    ),
    "GET /api/v1/vital-objects/{id}/": Detail("vital_object"),
    "PATCH /api/v1/vital-objects/{id}/": Write(
        "vital_object", cap("agency.manage"), {"name": "Kilang baru"}, method="patch"
    ),
    "GET /api/v1/cameras/": List("camera"),
    "GET /api/v1/cameras/{id}/": Detail("camera"),
    # citizens' reports
    "POST /api/v1/public/reports/": Exempt(
        "the public intake: anyone may post (rate-limited); tests/incidents/reports"
    ),
    "GET /api/v1/public/reports/{tracking_code}/": Exempt(
        "read by its tracking code, the citizen's secret; it shows the status only"
    ),
    "GET /api/v1/reports/": List("report"),
    "GET /api/v1/reports/{id}/": Detail("report"),
    "POST /api/v1/reports/{id}/duplicate/": Write(
        "report", cap("report.moderate"), lambda w: {"incident": w.record("incident", "restricted").pk}, ok=False
    ),
    "POST /api/v1/reports/{id}/reject/": Write("report", cap("report.moderate"), {"reason": "Bukan kejadian"}),
    "POST /api/v1/reports/{id}/spam/": Write("report", cap("report.moderate")),
    "POST /api/v1/reports/{id}/verify/": Write("report", cap("report.moderate"), ok=False),
    # incidents
    "GET /api/v1/incidents/": List("incident"),
    "POST /api/v1/incidents/": Write(
        None,
        cap("incident.log"),
        lambda w: {"title": "Baru", "category": "crime-theft", "area": w.agencies.areas.guntung.pk},
        create=True,
        ok=False,
    ),
    "GET /api/v1/incidents.geojson": Read(),
    "GET /api/v1/incidents/export.csv": List("incident"),
    "GET /api/v1/incidents/{id}/": Detail("incident"),
    "PUT /api/v1/incidents/{id}/": Write(
        "incident",
        cap("incident.manage"),
        lambda w: {"title": "Diubah", "category": "crime-theft", "area": w.agencies.areas.guntung.pk},
        method="put",
    ),
    "PATCH /api/v1/incidents/{id}/": Write("incident", cap("incident.manage"), {"title": "Diubah"}, method="patch"),
    "POST /api/v1/incidents/{id}/assign/": Write(
        "incident", cap("incident.assign"), lambda w: {"involved_agencies": [w.agencies.isp.pk]}
    ),
    "POST /api/v1/incidents/{id}/link/": Write(
        "incident", cap("incident.manage"), lambda w: {"incident": w.record("incident", "restricted").pk}, ok=False
    ),
    "POST /api/v1/incidents/{id}/merge/": Write(
        "incident", cap("incident.manage"), lambda w: {"into": str(w.record("incident", "restricted").pk)}
    ),
    "POST /api/v1/incidents/{id}/notes/": Write("incident", cap("incident.note"), {"message": "Catatan"}, readers=True),
    "POST /api/v1/incidents/{id}/status/": Write("incident", cap("incident.manage"), {"status": "verified"}),
    "GET /api/v1/incidents/{id}/timeline/": Detail("incident"),
    "POST /api/v1/incidents/{id}/verify/": Write("incident", cap("incident.manage")),
    # risks
    "GET /api/v1/risks/": List("risk"),
    "POST /api/v1/risks/": Write(
        None,
        cap("risk.write"),
        lambda w: {
            "area": w.agencies.areas.guntung.pk,
            "hazard": "flood",
            "likelihood": 2,
            "impact": 2,
            "assessed_on": _today(),
            "review_due": _today(30),
        },
        create=True,
        ok=False,
    ),
    "GET /api/v1/risks/{id}/": Detail("risk"),
    "PATCH /api/v1/risks/{id}/": Write("risk", cap("risk.write"), {"likelihood": 5}, method="patch"),
    "GET /api/v1/risks/attention/": Read(),
    # threats and alerts
    "GET /api/v1/threats/": List("threat"),
    "POST /api/v1/threats/": Write(
        None,
        cap("threat.log"),
        lambda w: {"headline": "Baru", "category": "crime-theft", "areas": [w.agencies.areas.guntung.pk]},
        create=True,
        ok=False,
    ),
    "GET /api/v1/threats/{id}/": Detail("threat"),
    "PATCH /api/v1/threats/{id}/": Write("threat", cap("threat.manage"), {"headline": "Diubah"}, method="patch"),
    "POST /api/v1/threats/{id}/cancel/": Write("threat", cap("threat.manage"), {"reason": "Tidak terbukti"}),
    "GET /api/v1/threats/{id}/cap.xml": Detail("threat"),
    "GET /api/v1/threats/{id}/progress/": Form("threat", cap("threat.follow")),
    "POST /api/v1/threats/import-cap/": Exempt(
        "CAP import and relay: tests/access/test_scenarios.py (relay) and tests/incidents/threats/cap"
    ),
    "GET /api/v1/public/cap/feed.atom": Read(public=True),
    "GET /api/v1/public/cap/{identifier}.xml": Exempt(
        "public CAP documents of public threats: test_public_cap_documents"
    ),
    "GET /api/v1/alerts/": List("alert"),
    "GET /api/v1/alerts/{id}/": Detail("alert"),
    "POST /api/v1/alerts/{id}/acknowledge/": Write("alert", ANYONE),
    "GET /api/v1/inbox/": Read(),
    "GET /api/v1/inbox/counts/": Read(),
    "POST /api/v1/inbox/read/": Write(None, (), own=True, ok=False),
    "GET /api/v1/cap-senders/": List("cap_sender"),
    "POST /api/v1/cap-senders/": Write(
        None,
        cap("threat.cap_senders"),
        lambda w: {"agency": w.agencies.owner.pk, "sender": "x@y", "certificate": "-"},
        ok=False,
    ),
    "GET /api/v1/cap-senders/{id}/": Detail("cap_sender"),
    "PATCH /api/v1/cap-senders/{id}/": Write(
        "cap_sender", cap("threat.cap_senders"), {"is_active": False}, method="patch", ok=False
    ),
    "DELETE /api/v1/cap-senders/{id}/": Write("cap_sender", cap("threat.cap_senders"), method="delete"),
    # operations
    "GET /api/v1/operations/": List("operation"),
    "POST /api/v1/operations/": Write(
        None, cap("operation.plan"), {"name": "Baru", "kind": "joint_patrol"}, create=True, ok=False
    ),
    "GET /api/v1/operations/{id}/": Detail("operation"),
    "PATCH /api/v1/operations/{id}/": Write(
        "operation", cap("operation.plan"), {"objectives": "Diubah"}, method="patch"
    ),
    "POST /api/v1/operations/{id}/link/": Write(
        "operation", cap("operation.plan"), lambda w: {"incident": w.record("incident", "restricted").pk}, ok=False
    ),
    "POST /api/v1/operations/{id}/participations/": Write(
        "operation", cap("operation.plan"), lambda w: {"agency": w.agencies.isp.pk, "personnel": 2}
    ),
    "PATCH /api/v1/operations/{id}/participations/{participation_id}/": Write(
        "operation", cap("operation.plan"), {"personnel": 9}, method="patch"
    ),
    "DELETE /api/v1/operations/{id}/participations/{participation_id}/": Write(
        "operation", cap("operation.plan"), method="delete", ok=False
    ),
    "GET /api/v1/operations/{id}/sitreps/": Detail("operation"),
    "POST /api/v1/operations/{id}/sitreps/": Write(
        "operation",
        cap("operation.report"),
        lambda w: {"summary": "Aman", "period_start": _soon(-5), "period_end": _soon(-4)},
    ),
    "POST /api/v1/operations/{id}/status/": Write("operation", cap("operation.approve"), {"status": "approved"}),
    "GET /api/v1/operations/{id}/timeline/": Detail("operation"),
    # exercises
    "GET /api/v1/exercises/": List("exercise"),
    "POST /api/v1/exercises/": Write(
        None,
        cap("exercise.plan"),
        lambda w: {"name": "Baru", "kind": "tabletop", "starts_at": _soon(30), "ends_at": _soon(33)},
        create=True,
        ok=False,
    ),
    "GET /api/v1/exercises/{id}/": Detail("exercise"),
    "PATCH /api/v1/exercises/{id}/": Write("exercise", cap("exercise.plan"), {"scenario": "Diubah"}, method="patch"),
    "GET /api/v1/exercises/{id}/action-items/": Detail("exercise"),
    "POST /api/v1/exercises/{id}/action-items/": Write(
        "exercise",
        cap("exercise.plan"),
        lambda w: {"description": "Baru", "owner_agency": w.agencies.owner.pk, "due_date": _today(5)},
        ok=False,
    ),
    "POST /api/v1/exercises/{id}/review/": Write(
        "exercise", cap("exercise.plan"), {"observations": "Lambat"}, ok=False
    ),
    "GET /api/v1/action-items/": List("action_item"),
    "GET /api/v1/action-items/{id}/": Detail("action_item"),
    "PATCH /api/v1/action-items/{id}/": Write(
        "action_item", cap("action_item.update"), {"status": "in_progress"}, method="patch"
    ),
    "GET /api/v1/notifications/": List("notification"),
    "POST /api/v1/notifications/read/": Write(None, (), own=True, ok=False),
    # patrols
    "GET /api/v1/shifts/": List("shift"),
    "POST /api/v1/shifts/": Write(
        None,
        cap("patrol.plan"),
        lambda w: {"operation": w.record("operation", "confidential").pk, "starts_at": _soon(30), "ends_at": _soon(34)},
        ok=False,
    ),
    "GET /api/v1/shifts.ics": Exempt("read with an agency's feed token, not as a user: test_scenarios (calendar feed)"),
    "GET /api/v1/shifts/{id}/": Detail("shift"),
    "PATCH /api/v1/shifts/{id}/": Write("shift", cap("patrol.plan"), {"title": "Diubah"}, method="patch"),
    "DELETE /api/v1/shifts/{id}/": Write("shift", cap("patrol.plan"), method="delete"),
    "GET /api/v1/shifts/{id}/check-ins/": Detail("shift"),
    # Staff check in for no agency (members of none): refused before the body is read.
    "POST /api/v1/shifts/{id}/check-ins/": Write("shift", cap("patrol.check_in"), ok=False, staff=False),
    "GET /api/v1/shifts/conflicts/": Read(),
    "POST /api/v1/shifts/generate/": Write(None, cap("patrol.plan"), {}, create=True, ok=False),
    "GET /api/v1/coverage/": Read(query=lambda w: {"area": w.agencies.areas.bontang.pk}),
    "POST /api/v1/coverage/fill/": Write(None, cap("patrol.plan"), {}, create=True, ok=False),
    "POST /api/v1/calendar-feed/": Write(None, cap("patrol.feed"), {}, create=True, ok=False),
    # bulletins: the oracle reads the issuer's bulletins of every classification (world.py)
    "GET /api/v1/bulletins/": List("bulletin"),
    "POST /api/v1/bulletins/": Write(
        None,
        cap("bulletin.issue"),
        lambda w: {
            "title": "Baru",
            "body": "Isi",
            "classification": "restricted",
            "distribution": {"agencies": [w.agencies.isp.pk, w.agencies.outsider.pk]},
        },
        create=True,
        staff=False,
    ),
    "POST /api/v1/bulletins/preview/": Write(
        None,
        cap("bulletin.issue"),
        lambda w: {"classification": "secret", "distribution": {"agencies": [w.agencies.isp.pk]}},
        create=True,
        staff=False,
    ),
    "GET /api/v1/bulletins/counts/": Read(),
    "GET /api/v1/bulletins/{id}/": Detail("bulletin"),
    "POST /api/v1/bulletins/{id}/read/": Write("bulletin", ANYONE, readers=True),
    "POST /api/v1/bulletins/{id}/acknowledge/": Write(
        "bulletin", cap("bulletin.acknowledge"), recipients=True, staff=False
    ),
    "POST /api/v1/bulletins/{id}/amend/": Write("bulletin", cap("bulletin.issue"), {"body": "Diubah", "note": "x"}),
    "POST /api/v1/bulletins/{id}/withdraw/": Write("bulletin", cap("bulletin.issue"), {"reason": "Salah"}),
    "POST /api/v1/bulletins/{id}/attachments/": Write("bulletin", cap("bulletin.issue"), ok=False),  # no file: 400
    "GET /api/v1/bulletins/{id}/replies/": Detail("bulletin_full", audited=False),  # the thread of the full text
    "POST /api/v1/bulletins/{id}/replies/": Write(
        "bulletin", cap("bulletin.reply"), {"body": "Balasan"}, readers=True, reads="bulletin_full"
    ),
    "GET /api/v1/bulletins/{id}/progress/": Form("bulletin", cap("bulletin.follow")),
    # the one inbox: the user's own entries (test_inbox.py: never another user's)
    "GET /api/v1/my-inbox/": List("notification"),
    "GET /api/v1/my-inbox/counts/": Read(),
    "POST /api/v1/my-inbox/read/": Write(None, (), own=True, ok=False),
    # the search box: every record carries its token "MTX...", so "MTX" finds them all and no
    # persona's answer may show one it may not read (tests/coordination/search/test_visibility.py:
    # kind by kind, nothing hidden either)
    "GET /api/v1/search/": Read(query={"q": "MTX"}),
}
API.update(
    {
        "POST /api/v1/agencies/": Write(
            None, (), {"name": "Baru", "code": "baru", "kind": "police"}, ok=False
        ),  # staff only
        "GET /api/v1/cameras/{id}/": Detail("camera"),
        "POST /api/v1/cameras/": Write(
            None,
            cap("agency.manage"),
            lambda w: {
                "code": "cam-new",
                "name": "Baru",
                "area": w.agencies.areas.guntung.pk,
                "operator": w.agencies.owner.pk,
            },
            ok=False,
        ),
        "PATCH /api/v1/cameras/{id}/": Write(
            "camera", cap("agency.manage"), {"name": "Diubah"}, method="patch", ok=False
        ),
    }
)

PAGES: dict[str, Any] = {
    # not the dashboard's: Django's own, the API's documents (their operations are in API)
    "api-root": Exempt("the API root: links only; the API's operations are checked from the schema"),
    "api-schema": Exempt("the OpenAPI document: no record"),
    "api-docs": Exempt("Swagger UI: no record"),
    "set_language": Exempt("the language switch: the user's cookie only"),
    "javascript-catalog": Exempt("translations: no record"),
    "login": Exempt("the login form (its throttle and lockout: branch guess)"),
    "logout": Exempt("ends the user's own session"),
    "password_change": Exempt("the user's own password"),
    "password_change_done": Exempt("a static confirmation"),
    "password_reset": Exempt("Django's reset by e-mail: no record"),
    "password_reset_done": Exempt("a static confirmation"),
    "password_reset_confirm": Exempt("Django's reset token check"),
    "password_reset_complete": Exempt("a static confirmation"),
    "two-factor-setup": Exempt("the user's own second factor (its device): tests/agencies/accounts"),
    "two-factor-verify": Exempt("the user's own login step (the code of their device): tests/agencies/accounts"),
    "two-factor-recovery": Exempt("the user's own recovery codes: tests/agencies/accounts"),
    "two-factor-recovery-regenerate": Exempt("the user's own recovery codes, replaced: tests/agencies/accounts"),
    # the public intake
    "report-create": Exempt("the public form: anyone may post (rate-limited); tests/incidents/reports"),
    "report-submitted": Exempt("the citizen's confirmation, by tracking code"),
    "report-track": Exempt("the public tracking form"),
    "report-track-detail": Exempt("read by tracking code, the citizen's secret; status in plain words only"),
    "report-photo": Exempt("served by a per-photo token; tests/incidents/reports (photos)"),
    # pages
    "dashboard": Read(anonymous=200),
    "agency-list": List("agency"),
    "agency-detail": Detail("agency"),
    "agency-audit": Form("agency", cap("audit.read"), own_agency=True),
    "agency-two-factor": Write("agency", cap("agency.two_factor"), {"two_factor_required": "1"}),
    "partnership-propose": Write(
        "agency",
        cap("partnership.propose"),
        lambda w: {
            "agencies": [w.agencies.outsider.pk],
            "title": "MoU baru",
            "scopes": "training",
            "valid_from": _today(),
        },
        ok=False,
    ),
    "partnership-accept": Write(
        "partnership", cap("partnership.accept"), lambda w: {"agency": w.agencies.owner.pk}, ok=False, parties=True
    ),
    "partnership-decline": Write(
        "partnership", cap("partnership.accept"), lambda w: {"agency": w.agencies.owner.pk}, ok=False, parties=True
    ),
    "partnership-end": Write(
        "partnership", cap("partnership.end"), lambda w: {"agency": w.agencies.owner.pk}, ok=False
    ),
    "area-browser": Read(),
    "area-detail": Detail("area"),
    "report-queue": List("report"),
    "report-detail": Detail("report"),
    "report-verify": Write("report", cap("report.moderate"), ok=False),
    "report-reject": Write("report", cap("report.moderate"), {"reason": "Bukan kejadian"}),
    "report-duplicate": Write("report", cap("report.moderate"), ok=False),
    "report-spam": Write("report", cap("report.moderate")),
    "incident-list": List("incident"),
    "incident-create": Form(None, cap("incident.log"), create=True),
    "incident-map": Read(),
    "incident-area-search": Read(),
    "incident-detail": Detail("incident"),
    "incident-edit": Form("incident", cap("incident.manage")),
    "incident-status": Write("incident", cap("incident.manage"), {"status": "verified"}),
    "incident-assign": Write(
        "incident", cap("incident.assign"), lambda w: {"involved_agencies": [w.agencies.isp.pk]}, ok=False
    ),
    "incident-note": Write("incident", cap("incident.note"), {"message": "Catatan"}, readers=True),
    "risk-list": List("risk", shows=False),
    "risk-heatmap": Read(),
    "risk-create": Form(None, cap("risk.write"), create=True, staff=False),
    "risk-edit": Form("risk", cap("risk.write")),
    "threat-list": List("threat"),
    "threat-create": Form(None, cap("threat.log"), create=True),
    "threat-detail": Detail("threat"),
    "threat-edit": Form("threat", cap("threat.manage")),
    "threat-cancel": Write("threat", cap("threat.manage"), {"reason": "Tidak terbukti"}),
    # the panel polled by the threat page (whose read was audited): every alerted agency to the
    # issuer, one's own alert to others
    "threat-progress": Detail("threat", audited=False),
    "threat-from-incident": Write("incident", cap("threat.log"), ok=False, readers=True),
    "alert-inbox": Read(),
    "alert-badge": Read(anonymous=286),
    "alert-detail": Detail("alert"),
    "alert-acknowledge": Write("alert", ANYONE),
    "operation-list": List("operation"),
    "operation-create": Form(None, cap("operation.plan"), create=True, staff=False),
    "operation-detail": Detail("operation"),
    "operation-edit": Form("operation", cap("operation.plan")),
    "operation-status": Write("operation", cap("operation.approve"), {"status": "approved"}),
    "operation-participation-add": Write(
        "operation", cap("operation.plan"), lambda w: {"agency": w.agencies.isp.pk, "personnel": 2}, ok=False
    ),
    "operation-participation-remove": Write("operation", cap("operation.plan"), ok=False),
    "operation-sitrep": Write(
        "operation",
        cap("operation.report"),
        lambda w: {"summary": "Aman", "period_start": _soon(-5)[:16], "period_end": _soon(-4)[:16]},
        ok=False,
    ),
    "exercise-list": List("exercise"),
    "exercise-create": Form(None, cap("exercise.plan"), create=True, staff=False),
    "exercise-detail": Detail("exercise"),
    "exercise-review": Write("exercise", cap("exercise.plan"), {"observations": "Lambat"}, ok=False),
    "exercise-action-item-add": Write(
        "exercise",
        cap("exercise.plan"),
        lambda w: {"description": "Baru", "owner_agency": w.agencies.owner.pk, "due_date": _today(5)},
        ok=False,
    ),
    "action-item-status": Write("action_item", cap("action_item.update"), {"status": "in_progress"}),
    "action-item-edit": Form("action_item", cap("exercise.plan")),
    "action-item-list": List("action_item"),
    "notification-list": Exempt("a redirect to the one inbox (`inbox`), which shows nothing itself"),
    "inbox": List("notification"),
    "inbox-badge": Read(anonymous=286),
    "inbox-read": Write(None, (), own=True, ok=False),
    "bulletin-list": List("bulletin"),
    "search": Read(query={"q": "MTX"}),
    "bulletin-create": Form(None, cap("bulletin.issue"), create=True, staff=False),
    "bulletin-preview": Write(
        None,
        cap("bulletin.issue"),
        lambda w: {"classification": "secret", "dist_agencies": [w.agencies.isp.pk]},
        create=True,
        staff=False,
        ok=False,
    ),
    "bulletin-detail": Detail("bulletin"),
    "bulletin-progress": Form("bulletin", cap("bulletin.follow")),
    "bulletin-acknowledge": Write("bulletin", cap("bulletin.acknowledge"), recipients=True, staff=False),
    "bulletin-amend": Form("bulletin", cap("bulletin.issue")),
    "bulletin-withdraw": Write("bulletin", cap("bulletin.issue"), {"reason": "Salah"}),
    "bulletin-reply": Write(
        "bulletin", cap("bulletin.reply"), {"body": "Balasan"}, readers=True, reads="bulletin_full"
    ),
    "bulletin-attachment": Detail("bulletin_attachment", audited=False, anonymous=404),
    "patrol-calendar": List("shift", query=lambda w: {"date": w.local_start("shift", "public").date().isoformat()}),
    "patrol-shift-create": Form(None, cap("patrol.plan")),  # needs an operation one plans: O's
    "patrol-shift-detail": Detail("shift"),
    "patrol-check-in": Write("shift", cap("patrol.check_in"), ok=False, staff=False),
    "patrol-feed-create": Write("agency", cap("patrol.feed"), ok=False, staff=False),
    "patrol-feed-rotate": Write("agency", cap("patrol.feed_rotate"), ok=False, staff=False),
    "patrol-generate": Form(None, cap("patrol.plan")),
    "patrol-coverage": Read(),
    "patrol-coverage-fill": Exempt("needs a coverage gap (an area and an operation): tests/coordination/patrols"),
}

# Each feature's operations and pages live in a module of its own (this one would pass 600 lines).
from .registry_cap_sources import CAP_SOURCE_API, CAP_SOURCE_PAGES  # noqa: E402
from .registry_evaluations import EVALUATION_API, EVALUATION_PAGES  # noqa: E402
from .registry_manage import MANAGE_PAGES  # noqa: E402
from .registry_meetings import MEETING_API, MEETING_PAGES  # noqa: E402
from .registry_portal import PORTAL_API, PORTAL_PAGES  # noqa: E402
from .registry_programmes import PROGRAMME_API, PROGRAMME_PAGES  # noqa: E402
from .registry_surveys import SURVEY_API, SURVEY_PAGES  # noqa: E402

for _api in (MEETING_API, PORTAL_API, PROGRAMME_API, SURVEY_API, CAP_SOURCE_API, EVALUATION_API):
    API.update(_api)
for _pages in (
    PORTAL_PAGES,
    MEETING_PAGES,
    MANAGE_PAGES,
    PROGRAMME_PAGES,
    SURVEY_PAGES,
    CAP_SOURCE_PAGES,
    EVALUATION_PAGES,
):
    PAGES.update(_pages)
