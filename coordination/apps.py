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
        # in the order they show: the public alerts first. Programmes and surveys add theirs here.
        from coordination.community.portal import selectors as portal
        from coordination.community.programmes.selectors import public_section as programmes_section

        for section in (portal.alerts_section, programmes_section):
            if section not in portal.SECTIONS:
                portal.SECTIONS.append(section)
