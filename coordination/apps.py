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

        # The reporter's tracking page offers the report-handling survey once the report is
        # closed (incidents never imports coordination: it calls what is registered here).
        from coordination.community.surveys.selectors import report_survey_block
        from incidents.reports import selectors as reports

        if report_survey_block not in reports.TRACKING_HOOKS:
            reports.TRACKING_HOOKS.append(report_survey_block)
