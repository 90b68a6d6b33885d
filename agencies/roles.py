"""Who may do what: the one table of the roles each capability needs.

The services check these roles before they act, and the pages ask the same `can_<action>`
predicates (next to each service) before they offer a button, a link or a form: one rule
decides both, so a page never offers what the service would refuse. Staff (platform
administrators) may do everything; a capability names the membership roles that may do it in
the agency concerned (the lead, issuing, assessing, owner or contributing agency, as the
predicate says).

Later capabilities are added here as rows, not as new tuples in a service module.
"""

from __future__ import annotations

from collections.abc import Iterable

from common.types import User

from .membership import user_agency_ids, user_is_staff, user_roles_in
from .models import Membership

R = Membership.Role

# Everyone but viewers: log incidents, threats and risks, add notes, moderate reports, file sitreps.
ACTING: tuple[str, ...] = (R.COMMANDER, R.LIAISON, R.PLANNER, R.ANALYST)
# Plan and steer operations, exercises and patrol shifts.
PLANNING: tuple[str, ...] = (R.COMMANDER, R.LIAISON, R.PLANNER)
# Steer an incident, manage the agency's subscriptions, vital objects and cameras, import CAP,
# rotate the agency's secrets.
MANAGING: tuple[str, ...] = (R.COMMANDER, R.LIAISON)
# Approve operations, change who belongs to the agency and its contact details, propose, accept
# and end its partnerships.
COMMANDING: tuple[str, ...] = (R.COMMANDER,)
# Any member: read restricted data, get the agency's calendar feed.
MEMBER: tuple[str, ...] = tuple(R.values)

CAPABILITIES: dict[str, tuple[str, ...]] = {
    "incident.log": ACTING,
    "incident.note": ACTING,
    "incident.manage": MANAGING,
    # Change who works on an incident (its lead and involved agencies): held in the incident's
    # steering agency only (the lead, or the reporting agency while there is no lead), never by
    # an involved agency or a partner, so nobody adds agencies (or themselves) to another's incident.
    "incident.assign": MANAGING,
    "report.moderate": ACTING,
    "risk.write": ACTING,
    "threat.log": ACTING,
    "threat.manage": ACTING,
    "threat.import": MANAGING,
    # Register the CAP senders (and their certificates) whose signed relays may update or cancel
    # the alerts the agency imported (incidents.CapSender).
    "threat.cap_senders": MANAGING,
    # Follow the fan-out and acknowledgement progress of a threat the agency issued.
    "threat.follow": MEMBER,
    # Any member acknowledges an alert of their agency.
    "alert.acknowledge": MEMBER,
    # The members who get a threat's email and SMS (every active member gets the in-app alert),
    # and, at the second escalation level, the parent agency's email.
    "alert.notified": MANAGING,
    # The members the first escalation level reaches (in-app, email, SMS).
    "alert.escalation_notified": COMMANDING,
    "operation.plan": PLANNING,
    "operation.approve": COMMANDING,
    "operation.report": ACTING,
    "exercise.plan": PLANNING,
    "action_item.update": ACTING,
    "patrol.plan": PLANNING,
    "patrol.check_in": PLANNING,
    "patrol.feed": MEMBER,
    "patrol.feed_rotate": MANAGING,
    # Bulletins: issue (and amend, withdraw) for the agency; every member of a recipient agency
    # acknowledges for it; acting members reply in the thread; the issuer's members follow the
    # receipts; reminders by e-mail and SMS reach the managing members, the second one the commander.
    "bulletin.issue": MANAGING,
    "bulletin.acknowledge": MEMBER,
    "bulletin.reply": ACTING,
    "bulletin.follow": MEMBER,
    "bulletin.notified": MANAGING,
    "bulletin.escalation_notified": COMMANDING,
    # Meetings: the organiser's planners schedule (change, cancel) and keep the record (attendance,
    # minutes, decisions, action items); any member of an invited agency answers for it.
    "meeting.schedule": PLANNING,
    "meeting.rsvp": MEMBER,
    "meeting.minutes": PLANNING,
    "meeting.notified": MANAGING,
    # Community programmes: the organiser's planners plan (change, cancel) them, its commander
    # approves them, its planners hold them (attendance, photos) and report them (the report,
    # action items).
    "programme.plan": PLANNING,
    "programme.approve": COMMANDING,
    "programme.report": PLANNING,
    # Satisfaction surveys: the agency's commanders and liaisons build, open and close them;
    # acting members publish (or hide) the written answers; any member reads the results.
    "survey.manage": MANAGING,
    "survey.moderate": ACTING,
    "survey.read": MEMBER,
    # Periodic evaluations: the agency's acting members (analysts included) draft them (findings,
    # actions, recomputing); its commander reviews and publishes them to partners and the public
    # summary to the portal; its commanders and liaisons set its KPI targets; any member reads
    # its evaluations, and the members of an agency it was published to read that one.
    "evaluation.write": ACTING,
    "evaluation.review": COMMANDING,
    "evaluation.publish": COMMANDING,
    "evaluation.targets": MANAGING,
    "evaluation.read": MEMBER,
    "agency.manage": MANAGING,
    "agency.members": COMMANDING,
    "agency.edit": COMMANDING,
    # Require two-factor login of every member of the agency (commanders and staff always need it).
    "agency.two_factor": COMMANDING,
    # Partnerships are two-sided: a commander proposes one for their agency, a commander of
    # each other party accepts (or declines) for theirs, a commander of any party ends it.
    "partnership.propose": COMMANDING,
    "partnership.accept": COMMANDING,
    "partnership.end": COMMANDING,
    # Read who read the agency's confidential and secret records (its audit page and API).
    "audit.read": COMMANDING,
}

# What each capability lets a member do, for docs/security.md ("What each role may do"), which
# renders this table (`capabilities_markdown`, `manage.py capabilities`); tests/test_docs.py
# fails when the doc and the table differ.
DESCRIPTIONS: dict[str, str] = {
    "incident.log": "log an incident for their agency",
    "incident.note": "add a note to an incident their agency works on",
    "incident.manage": "change an incident their agency reports, leads or is involved in (status, text, links, merge)",
    "incident.assign": "choose the lead and involved agencies of an incident their agency steers",
    "report.moderate": "verify, reject or mark citizens' reports in their agency's jurisdiction",
    "risk.write": "record and update their agency's risk assessments",
    "threat.log": "log a threat, which fans alerts out",
    "threat.manage": "update or cancel a threat their agency issued",
    "threat.import": "import another authority's CAP alert as a threat of their agency",
    "threat.cap_senders": "register the CAP senders and certificates whose signed relays their agency trusts",
    "threat.follow": "follow the fan-out and acknowledgements of a threat their agency issued",
    "alert.acknowledge": "acknowledge an alert sent to their agency",
    "alert.notified": "receive their agency's alerts by e-mail and SMS as well as in the portal",
    "alert.escalation_notified": "receive the first escalation of an alert nobody acknowledged",
    "operation.plan": "plan a joint operation led by their agency, and change its plan and participations",
    "operation.approve": "approve a joint operation their agency leads",
    "operation.report": "write a situation report for an operation their agency takes part in",
    "exercise.plan": "plan an exercise led by their agency and review it",
    "action_item.update": "update an action item their agency owns",
    "patrol.plan": "plan patrol shifts of an operation their agency takes part in",
    "patrol.check_in": "check in at a shift's checkpoints for their agency",
    "patrol.feed": "read their agency's calendar feed of shifts",
    "patrol.feed_rotate": "rotate their agency's calendar-feed address",
    "bulletin.issue": "issue a bulletin for their agency, amend and withdraw it",
    "bulletin.acknowledge": "acknowledge a bulletin for their agency",
    "bulletin.reply": "reply in the thread of a bulletin their agency received or issued",
    "bulletin.follow": "follow who read and acknowledged a bulletin their agency issued",
    "bulletin.notified": "receive their agency's bulletins and reminders by e-mail and SMS",
    "bulletin.escalation_notified": "receive the reminder of a bulletin their agency left unacknowledged",
    "meeting.schedule": "schedule a meeting organised by their agency, change and cancel it",
    "meeting.rsvp": "answer a meeting invitation for their agency",
    "meeting.minutes": "take attendance, write minutes, decisions and action items of a meeting their agency organises",
    "meeting.notified": "receive their agency's meeting invitations and changes by e-mail, with the calendar file",
    "programme.plan": "plan a community programme organised by their agency, change and cancel it",
    "programme.approve": "approve a community programme their agency organises",
    "programme.report": "record the attendance, photos, report and action items of a programme their agency organises",
    "survey.manage": "build, open and close their agency's satisfaction surveys",
    "survey.moderate": "publish or hide the written answers to their agency's surveys",
    "survey.read": "read the results of their agency's surveys and export them",
    "evaluation.write": "draft their agency's evaluations: recompute the figures, write findings and follow-up actions",
    "evaluation.review": "review a draft evaluation of their agency, or send it back to draft",
    "evaluation.publish": "publish a reviewed evaluation of their agency to partner agencies, and its public summary",
    "evaluation.targets": "set their agency's KPI targets",
    "evaluation.read": "read their agency's evaluations and those published to it, and export them (PDF, XLSX, CSV)",
    "agency.manage": "manage their agency's subscriptions, vital objects and cameras",
    "agency.members": "add, change and remove their agency's members",
    "agency.edit": "change their agency's contact details",
    "agency.two_factor": "require two-factor login of every member of their agency",
    "partnership.propose": "propose a partnership on behalf of their agency",
    "partnership.accept": "accept or decline a partnership proposed to their agency",
    "partnership.end": "end a partnership their agency is party to",
    "audit.read": "read who read their agency's confidential and secret records",
}


def capabilities_markdown() -> str:
    """The capability table as a Markdown table: one row per capability, one column per role
    ("yes" where the role holds it). Staff hold every capability and are not a column."""
    roles = list(R)
    lines = [
        "| capability | a member may | " + " | ".join(str(role.value) for role in roles) + " |",
        "| --- | --- | " + " | ".join("---" for _ in roles) + " |",
    ]
    for capability, holders in CAPABILITIES.items():
        cells = ["yes" if role in holders else "" for role in roles]
        lines.append(f"| `{capability}` | {DESCRIPTIONS[capability]} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def roles_for(capability: str) -> tuple[str, ...]:
    """The roles that hold `capability` (KeyError for a capability nobody declared)."""
    return CAPABILITIES[capability]


def user_roles(*, user: User) -> dict[int, str]:
    """{agency id: role} of the user's active memberships in active agencies, read once per
    user object (a request's user): a page asking several predicates pays one query."""
    if not user or not user.is_authenticated:
        return {}
    cached: dict[int, str] | None = getattr(user, "_sinergi_roles", None)
    if cached is None:
        cached = user_roles_in(user=user, agency_ids=user_agency_ids(user=user))
        user._sinergi_roles = cached  # type: ignore[attr-defined]
    return cached


def remember_roles(*, user: User, memberships: Iterable[Membership]) -> None:
    """Seed `user_roles`' cache from memberships already read (the navbar's, with their
    agencies), so that the predicates the page then asks cost no query."""
    if getattr(user, "_sinergi_roles", None) is None:
        roles = {m.agency_id: m.role for m in memberships if m.is_active and m.agency.is_active}
        user._sinergi_roles = roles  # type: ignore[union-attr]


def agencies_with(*, user: User, capability: str, among: Iterable[int | None] | None = None) -> set[int]:
    """Ids of the active agencies (of `among`, else all the user's) where the user holds the
    capability. Staff hold every capability but are members of no agency: ask `user_is_staff`."""
    roles = roles_for(capability)
    held = {aid for aid, role in user_roles(user=user).items() if role in roles}
    return held if among is None else held & {i for i in among if i}


def has_capability(*, user: User, capability: str, agency_ids: Iterable[int | None] | None = None) -> bool:
    """Staff, or a member holding the capability in one of `agency_ids` (any agency when None)."""
    if user_is_staff(user):
        return True
    return bool(agencies_with(user=user, capability=capability, among=agency_ids))
