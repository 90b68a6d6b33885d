"""Working together: joint operations and their situation reports, patrol shifts (joint patrols
and siskamling rosters) with check-ins, joint exercises with their after-action reviews,
coordination meetings, community programmes, periodic evaluations, the action items of all four, the one inbox
(`InboxItem`), bulletins shared between agencies, and satisfaction surveys.

One module per feature; every model is re-exported here, so `from coordination.models import X`
works wherever X lives.
"""

from .action_items import ActionItem
from .bulletins import (
    Bulletin,
    BulletinAttachment,
    BulletinReceipt,
    BulletinRecipient,
    BulletinReply,
    BulletinVersion,
)
from .evaluations import Evaluation, EvaluationFinding, KpiTarget
from .exercises import Exercise
from .meetings import Meeting, MeetingDecision, MeetingInvitee
from .notifications import InboxItem
from .operations import JointOperation, OperationEvent, Participation, SitRep
from .patrols import (
    AgencyCapacity,
    CalendarFeed,
    CheckIn,
    Checkpoint,
    ConflictOverride,
    PatrolShift,
    RosterEntry,
    ShiftContribution,
)
from .programmes import (
    DistributedGoods,
    Programme,
    ProgrammeMaterial,
    ProgrammePhoto,
    ProgrammeRegistration,
    ProgrammeSession,
    TargetGroup,
)
from .surveys import Survey, SurveyAnswer, SurveyQuestion, SurveyResponse

__all__ = [
    "Bulletin",
    "BulletinAttachment",
    "BulletinReceipt",
    "BulletinRecipient",
    "BulletinReply",
    "BulletinVersion",
    "ActionItem",
    "AgencyCapacity",
    "CalendarFeed",
    "CheckIn",
    "Checkpoint",
    "ConflictOverride",
    "Evaluation",
    "EvaluationFinding",
    "Exercise",
    "InboxItem",
    "JointOperation",
    "KpiTarget",
    "Meeting",
    "MeetingDecision",
    "MeetingInvitee",
    "OperationEvent",
    "Participation",
    "PatrolShift",
    "RosterEntry",
    "ShiftContribution",
    "SitRep",
    "DistributedGoods",
    "Programme",
    "ProgrammeMaterial",
    "ProgrammePhoto",
    "ProgrammeRegistration",
    "ProgrammeSession",
    "TargetGroup",
    "Survey",
    "SurveyAnswer",
    "SurveyQuestion",
    "SurveyResponse",
]
