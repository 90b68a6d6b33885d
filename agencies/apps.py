from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _forget_partners(**kwargs: Any) -> None:
    """A partnership (or an agency's jurisdiction) written in a request: what was read earlier
    in it (partners, moderation areas, `common.request_cache`) is stale."""
    from common.request_cache import request_cache_clear

    request_cache_clear()


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Agencies and areas")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from .models import Agency, Partnership, PartnershipAnswer

        for model in (Partnership, PartnershipAnswer):
            post_save.connect(_forget_partners, sender=model, dispatch_uid=f"forget-partners-{model.__name__}")
            post_delete.connect(_forget_partners, sender=model, dispatch_uid=f"forget-partners-del-{model.__name__}")
        m2m_changed.connect(_forget_partners, sender=Partnership.agencies.through, dispatch_uid="forget-partners-m2m")
        m2m_changed.connect(_forget_partners, sender=Agency.jurisdiction.through, dispatch_uid="forget-jurisdiction")
