"""Pages of an agency's vital objects and cameras: the list with a map, each one's page, and
the forms of who manages them (`agency.manage`: commanders and liaisons of the operator).

Every member of an active agency reads them (directory data); a camera's stream URL, which may
carry credentials, only the operator's members and staff (`camera_can_see_stream`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from common.views import forbidden_page, map_settings

from .. import selectors as agency_selectors
from .. import services as agency_services
from ..models import Agency, Camera, VitalObject
from ..selectors import require_capability
from . import services
from .forms import CameraForm, VitalObjectForm

# An operator runs tens of objects and at most a few hundred cameras: the page shows this many.
ASSET_LIMIT = 200


def _point(kind: str, obj: Any, url: str) -> dict[str, Any] | None:
    if obj.latitude is None or obj.longitude is None:
        return None
    return {"kind": kind, "name": str(obj), "lat": float(obj.latitude), "lon": float(obj.longitude), "url": url}


@login_required
@require_GET
def agency_assets(request: HttpRequest, pk: int) -> HttpResponse:
    """The vital objects the agency operates or guards and the cameras it operates, on a map."""
    agency = agency_selectors.agency_get(user=request.user, pk=pk)
    objects = list(
        agency_selectors.vital_object_list(user=request.user)
        .filter(Q(operator=agency) | Q(guarding_agencies=agency))
        .distinct()
        .order_by("name")[:ASSET_LIMIT]
    )
    cameras = list(
        agency_selectors.camera_list(user=request.user).filter(operator=agency).order_by("code")[:ASSET_LIMIT]
    )
    points = [
        p
        for p in [_point("vital_object", o, reverse("vital-object-detail", args=[o.pk])) for o in objects]
        + [_point("camera", c, reverse("camera-detail", args=[c.pk])) for c in cameras]
        if p
    ]
    return render(
        request,
        "agencies/manage/assets.html",
        {
            "agency": agency,
            "vital_objects": objects,
            "cameras": cameras,
            "points": points,
            "can_manage": services.can_manage_agency(user=request.user, agency=agency),
            "map": map_settings(),
        },
    )


@login_required
@require_GET
def vital_object_detail(request: HttpRequest, pk: int) -> HttpResponse:
    obj = agency_selectors.vital_object_get(user=request.user, pk=pk)
    cameras = list(
        agency_selectors.camera_list(user=request.user).filter(vital_object=obj).order_by("code")[:ASSET_LIMIT]
    )
    point = _point("vital_object", obj, "")
    return render(
        request,
        "agencies/manage/vital_object_detail.html",
        {
            "object": obj,
            "agency": obj.operator,
            "cameras": cameras,
            "points": [point] if point else [],
            "can_manage": services.can_manage_agency(user=request.user, agency=obj.operator),
            "map": map_settings(),
        },
    )


@login_required
@require_GET
def camera_detail(request: HttpRequest, pk: int) -> HttpResponse:
    camera = agency_selectors.camera_get(user=request.user, pk=pk)
    point = _point("camera", camera, "")
    return render(
        request,
        "agencies/manage/camera_detail.html",
        {
            "camera": camera,
            "agency": camera.operator,
            "show_stream": agency_selectors.camera_can_see_stream(user=request.user, camera=camera),
            "points": [point] if point else [],
            "can_manage": services.can_manage_agency(user=request.user, agency=camera.operator),
            "map": map_settings(),
        },
    )


def _asset_form(
    request: HttpRequest,
    *,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    saved: str,
    detail: str,
    template: str,
    agency: Agency,
    kind: str,
    heading: str,
    obj: Any = None,
) -> HttpResponse:
    """A vital object's or a camera's form (`kind`, under `heading`): on a valid post, `save`
    (the service) with the form's arguments, then its page; a service's refusal on the form (400)."""
    if request.method == "POST" and form.is_valid():
        try:
            record = save(form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, saved)
            return redirect(detail, pk=record.pk)
    status = 400 if request.method == "POST" else 200
    context = {"agency": agency, "form": form, "object": obj, "kind": kind, "current": heading}
    return render(request, template, context, status=status)


def _operator_for_create(request: HttpRequest, pk: int) -> Agency:
    agency = agency_selectors.agency_get(user=request.user, pk=pk)
    require_capability(user=request.user, agency_id=agency.pk, capability="agency.manage")
    return agency


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def vital_object_create(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _operator_for_create(request, pk)
    return _asset_form(
        request,
        form=VitalObjectForm(request.POST or None, operator=agency),
        save=lambda kwargs: agency_services.vital_object_create(actor=request.user, operator=agency, **kwargs),
        saved=_("The vital object is saved."),
        detail="vital-object-detail",
        template="agencies/manage/vital_object_form.html",
        agency=agency,
        kind="vital_object",
        heading=_("New vital object"),
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def vital_object_edit(request: HttpRequest, pk: int) -> HttpResponse:
    obj: VitalObject = agency_selectors.vital_object_get_for_change(user=request.user, pk=pk)
    return _asset_form(
        request,
        form=VitalObjectForm(request.POST or None, instance=obj, operator=obj.operator),
        save=lambda kwargs: agency_services.vital_object_update(actor=request.user, vital_object=obj, **kwargs),
        saved=_("The vital object is saved."),
        detail="vital-object-detail",
        template="agencies/manage/vital_object_form.html",
        agency=obj.operator,
        kind="vital_object",
        heading=_("Edit the vital object"),
        obj=obj,
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def camera_create(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _operator_for_create(request, pk)
    return _asset_form(
        request,
        form=CameraForm(request.POST or None, operator=agency),
        save=lambda kwargs: agency_services.camera_create(actor=request.user, operator=agency, **kwargs),
        saved=_("The camera is saved."),
        detail="camera-detail",
        template="agencies/manage/camera_form.html",
        agency=agency,
        kind="camera",
        heading=_("New camera"),
    )


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def camera_edit(request: HttpRequest, pk: int) -> HttpResponse:
    camera: Camera = agency_selectors.camera_get_for_change(user=request.user, pk=pk)
    return _asset_form(
        request,
        form=CameraForm(request.POST or None, instance=camera, operator=camera.operator),
        save=lambda kwargs: agency_services.camera_update(actor=request.user, camera=camera, **kwargs),
        saved=_("The camera is saved."),
        detail="camera-detail",
        template="agencies/manage/camera_form.html",
        agency=camera.operator,
        kind="camera",
        heading=_("Edit the camera"),
        obj=camera,
    )
