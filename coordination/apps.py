from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoordinationConfig(AppConfig):
    name = "coordination"
    verbose_name = _("Coordination")

    def ready(self) -> None:
        # The desk's blocks of other features (coordination.desk.selectors.HOOKS).
        from coordination.desk import selectors as desk
        from coordination.meetings.selectors import desk_upcoming_meetings

        if desk_upcoming_meetings not in desk.HOOKS:
            desk.HOOKS.append(desk_upcoming_meetings)

        # The sections of the visitor's home (coordination.community.portal.selectors.SECTIONS),
        # in the order they show: the public alerts first. Programmes, surveys and evaluations add theirs here.
        from coordination.community.portal import selectors as portal
        from coordination.community.programmes.selectors import public_section as programmes_section
        from coordination.community.surveys.selectors import public_section as surveys_section
        from coordination.evaluations.selectors import public_section as evaluations_section

        for section in (portal.alerts_section, programmes_section, surveys_section, evaluations_section):
            if section not in portal.SECTIONS:
                portal.SECTIONS.append(section)
        # The reporter's tracking page offers the report-handling survey once the report is
        # closed (incidents never imports coordination: it calls what is registered here).
        from coordination.community.surveys.selectors import report_survey_block
        from incidents.reports import selectors as reports

        if report_survey_block not in reports.TRACKING_HOOKS:
            reports.TRACKING_HOOKS.append(report_survey_block)

        # The moderators hear in the inbox when a reporter answers their question.
        from coordination.notifications.services import report_answered
        from incidents.reports import services as report_services

        if report_answered not in report_services.ANSWER_HOOKS:
            report_services.ANSWER_HOOKS.append(report_answered)
