"""Pages for running one's own agency: members and invitations, the invitation link,
duty contact and declared capacity, alert subscriptions.

Each page reads the agency through `agencies.selectors.agency_get` (404 for what the user may
not see) and asks the capability before it shows anything of the agency's own business: a
member without the role gets the 403 page that says why. Forms post to the services, whose
errors go back on the form; nothing here decides who may do what.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.views import forbidden_page

from .. import selectors as agency_selectors
from .. import services as agency_services
from ..models import Agency, Membership
from ..selectors import require_capability
from . import selectors, services
from .forms import AcceptNewUserForm, ContactForm, InviteForm, MemberRoleForm, SubscriptionForm

# An agency has tens of members, rarely a few hundred: one page shows them all; the open and
# recent invitations are bounded.
INVITATION_LIMIT = 30


def _members_page(
    request: HttpRequest, agency: Agency, invite_form: InviteForm | None = None, status: int = 200
) -> HttpResponse:
    members = list(selectors.member_list(user=request.user, agency=agency))
    commanders = [m.pk for m in members if m.is_active and m.role == Membership.Role.COMMANDER]
    invitations = list(selectors.invitation_list(user=request.user, agency=agency)[:INVITATION_LIMIT])
    return render(
        request,
        "agencies/manage/members.html",
        {
            "agency": agency,
            "members": [(m, MemberRoleForm(initial={"role": m.role}, prefix=f"m{m.pk}")) for m in members],
            "invitations": invitations,
            # The services refuse to demote or deactivate the last active commander: not offered.
            "last_commanders": commanders if len(commanders) == 1 else [],
            "invite_form": invite_form or InviteForm(),
        },
        status=status,
    )


@login_required
@require_GET
@forbidden_page
def agency_members(request: HttpRequest, pk: int) -> HttpResponse:
    """The agency's members, active and not, and its invitations: its commanders and staff."""
    return _members_page(request, agency_selectors.agency_get(user=request.user, pk=pk))


@login_required
@require_POST
@forbidden_page
def invitation_create(request: HttpRequest, pk: int) -> HttpResponse:
    agency = agency_selectors.agency_get(user=request.user, pk=pk)
    require_capability(user=request.user, agency_id=agency.pk, capability="agency.members")
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            services.invitation_create(actor=request.user, agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(
                request,
                _("An invitation link was sent to %(email)s; it works once, for %(days)d days.")
                % {"email": form.cleaned_data["email"], "days": services.INVITATION_DAYS},
            )
            return redirect("agency-members", pk=agency.pk)
    return _members_page(request, agency, invite_form=form, status=400)


@login_required
@require_POST
@forbidden_page
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = selectors.invitation_get_for_change(user=request.user, pk=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email})
    return redirect("agency-members", pk=invitation.agency_id)


def _member_change(request: HttpRequest, pk: int, **fields: object) -> HttpResponse:
    membership = agency_selectors.membership_get_for_change(user=request.user, pk=pk)
    try:
        services.membership_change(actor=request.user, membership=membership, **fields)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(member)s is updated.") % {"member": membership.user.get_full_name() or membership.user.get_username()},
        )
    return redirect("agency-members", pk=membership.agency_id)


@login_required
@require_POST
@forbidden_page
def membership_role(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a member's role (the form's prefix is the membership's: `m<pk>-role`)."""
    form = MemberRoleForm(request.POST, prefix=f"m{pk}")
    if not form.is_valid():
        membership = agency_selectors.membership_get_for_change(user=request.user, pk=pk)
        messages.error(request, _("Choose a role."))
        return redirect("agency-members", pk=membership.agency_id)
    return _member_change(request, pk, role=form.cleaned_data["role"])


@login_required
@require_POST
@forbidden_page
def membership_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (is_active=0) or reactivate (is_active=1) a member."""
    return _member_change(request, pk, is_active=request.POST.get("is_active") == "1")


# --- The invitation link: works without a login ---------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link. A used, expired, revoked or forged link gets a page that says so (410
    or 404); a signed-in user joins with one button; anyone else makes an account first."""
    invitation, state = selectors.invitation_by_token(token=token)
    if invitation is None or state != "open":
        return render(
            request,
            "agencies/manage/invitation_invalid.html",
            {"state": state},
            status=404 if invitation is None else 410,
        )
    form = None if request.user.is_authenticated else AcceptNewUserForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                services.invitation_accept(invitation=invitation, user=request.user)  # type: ignore[arg-type]
            elif form is not None and form.is_valid():
                data = form.cleaned_data
                services.invitation_accept_new_user(
                    invitation=invitation,
                    username=data["username"],
                    password=data["password1"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                )
            else:
                raise ValidationError({})
        except ValidationError as exc:
            if form is not None and exc.messages:
                form.add_service_errors(exc)
            elif exc.messages:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Welcome to %(agency)s.") % {"agency": invitation.agency.name})
            if request.user.is_authenticated:
                return redirect("agency-detail", pk=invitation.agency_id)
            messages.info(request, _("Your account is ready: sign in."))
            return redirect(reverse("login") + "?next=" + reverse("agency-detail", args=[invitation.agency_id]))
    return render(
        request,
        "agencies/manage/invitation_accept.html",
        {"invitation": invitation, "form": form, "token": token},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
def invitation_switch_user(request: HttpRequest, token: str) -> HttpResponse:
    """Sign out to accept the link with another (new) account."""
    logout(request)
    return redirect("invitation-accept", token=token)


# --- Duty contact and declared capacity -----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def agency_contact(request: HttpRequest, pk: int) -> HttpResponse:
    agency = agency_selectors.agency_get(user=request.user, pk=pk)
    require_capability(user=request.user, agency_id=agency.pk, capability="agency.edit")
    form = ContactForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        fresh = agency_selectors.agency_get_for_change(user=request.user, pk=pk)
        try:
            services.agency_contact_update(actor=request.user, agency=fresh, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The duty contact and capacity are saved."))
            return redirect("agency-detail", pk=agency.pk)
    return render(
        request,
        "agencies/manage/contact.html",
        {"agency": agency, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Alert subscriptions --------------------------------------------------------------------


@login_required
@require_GET
@forbidden_page
def agency_subscriptions(request: HttpRequest, pk: int) -> HttpResponse:
    agency = agency_selectors.agency_get(user=request.user, pk=pk)
    require_capability(user=request.user, agency_id=agency.pk, capability="agency.manage")
    subscriptions = (
        agency_selectors.subscription_list(user=request.user)
        .filter(agency=agency)
        .prefetch_related("areas", "category_codes")
        .order_by("-is_active", "name")
    )
    return render(request, "agencies/manage/subscriptions.html", {"agency": agency, "subscriptions": subscriptions})


def _subscription_form_page(
    request: HttpRequest, agency: Agency, form: SubscriptionForm, subscription: object = None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "agencies/manage/subscription_form.html",
        {"agency": agency, "form": form, "subscription": subscription},
        status=status,
    )


def _secret_page(request: HttpRequest, subscription: object, secret: str) -> HttpResponse:
    return render(request, "agencies/manage/subscription_secret.html", {"subscription": subscription, "secret": secret})


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def subscription_create(request: HttpRequest, pk: int) -> HttpResponse:
    agency = agency_selectors.agency_get(user=request.user, pk=pk)
    require_capability(user=request.user, agency_id=agency.pk, capability="agency.manage")
    form = SubscriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            subscription = agency_services.subscription_create(
                actor=request.user, agency=agency, **form.service_kwargs()
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The subscription is saved."))
            if subscription.channel_webhook:
                return _secret_page(request, subscription, subscription.webhook_secret)
            return redirect("agency-subscriptions", pk=agency.pk)
    return _subscription_form_page(request, agency, form, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
@forbidden_page
def subscription_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = agency_selectors.subscription_get_for_change(user=request.user, pk=pk)
    form = SubscriptionForm(request.POST or None, subscription=subscription)
    if request.method == "POST" and form.is_valid():
        had_secret = bool(subscription.webhook_secret)
        try:
            agency_services.subscription_update(actor=request.user, subscription=subscription, **form.service_kwargs())
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, _("The subscription is saved."))
            if subscription.channel_webhook and not had_secret:
                return _secret_page(request, subscription, subscription.webhook_secret)
            return redirect("agency-subscriptions", pk=subscription.agency_id)
    return _subscription_form_page(
        request, subscription.agency, form, subscription, status=400 if request.method == "POST" else 200
    )


@login_required
@require_POST
@forbidden_page
def subscription_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate (is_active=0) or reactivate (is_active=1) a subscription."""
    subscription = agency_selectors.subscription_get_for_change(user=request.user, pk=pk)
    active = request.POST.get("is_active") == "1"
    agency_services.subscription_update(actor=request.user, subscription=subscription, is_active=active)
    messages.success(request, _("The subscription is active.") if active else _("The subscription is paused."))
    return redirect("agency-subscriptions", pk=subscription.agency_id)


@login_required
@require_POST
@forbidden_page
def subscription_rotate(request: HttpRequest, pk: int) -> HttpResponse:
    """A new signing secret, shown once on the page this answers."""
    subscription = agency_selectors.subscription_get_for_change(user=request.user, pk=pk)
    secret = agency_services.subscription_rotate_secret(actor=request.user, subscription=subscription)
    return _secret_page(request, subscription, secret)
