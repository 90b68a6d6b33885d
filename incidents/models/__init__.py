"""What happens: categories, incidents and their timeline, citizen reports, the risk register.

Threats, alerts and deliveries join this app with the fan-out (see docs/architecture.md, "The core flow").
"""

from .cap_sources import CapFetch, CapSource
from .incidents import CapCategory, Category, Incident, IncidentEvent, ReferenceCounter, Urgency
from .reports import (
    CitizenReport,
    CitizenReportPhoto,
    CitizenReportUpdate,
    PrivateStorage,
    PublicProgress,
    ReportQuestion,
    _report_photo_path,
    private_storage,
)
from .risks import RiskAssessment
from .threats import Alert, CapSender, Certainty, Delivery, QuickResponse, Threat, ThreatEvent, ThreatMessage

__all__ = [
    "CapFetch",
    "CapSource",
    "Alert",
    "CapSender",
    "Certainty",
    "Delivery",
    "QuickResponse",
    "Threat",
    "ThreatEvent",
    "ThreatMessage",
    "CapCategory",
    "Category",
    "CitizenReport",
    "ReportQuestion",
    "CitizenReportPhoto",
    "CitizenReportUpdate",
    "Incident",
    "IncidentEvent",
    "PrivateStorage",
    "PublicProgress",
    "ReferenceCounter",
    "RiskAssessment",
    "Urgency",
    "_report_photo_path",
    "private_storage",
]
