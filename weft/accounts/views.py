"""Account and organisation pages.

Views stay thin: who may do what is asked of `can(...)`, writes go through the services, and
foreign organisations answer 404 so their existence is not revealed.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from weft.core.redirects import safe_next
from weft.registry import services as registry_services
from weft.registry.identifiers import validate_uscc
from weft.registry.models import Cluster, ClusterMembership, Enterprise

from . import selectors, services
from .emails import send_user_mail
from .forms import (
    AddMemberForm,
    DecisionForm,
    EnterpriseRegistrationForm,
    JoinClusterForm,
    LoginForm,
    PasswordChangeFormA11y,
    ProfileForm,
    ServiceProviderForm,
    SignUpForm,
    TokenForm,
    role_choices,
)
from .models import ApiToken, Membership, Organisation
from .permissions import actor_for, can

# --- signing in and out --------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link or a prefetch cannot sign someone out."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    form_class = PasswordChangeFormA11y
    success_url = reverse_lazy("accounts:dashboard")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response


@never_cache
@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("accounts:dashboard")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.sign_up(user=form.save(commit=False))
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        send_user_mail(
            user,
            "welcome",
            {
                "dashboard_url": request.build_absolute_uri(reverse("accounts:dashboard")),
                "register_enterprise_url": request.build_absolute_uri(
                    reverse("accounts:enterprise_register")
                ),
            },
        )
        messages.success(
            request, _("Welcome to Weft, %(name)s. Your account is ready.") % {"name": user}
        )
        return redirect(safe_next(request, reverse("accounts:dashboard")))
    return render(request, "accounts/register.html", {"form": form, "next": safe_next(request, "")})


# --- dashboard and profile -----------------------------------------------------------------------


@login_required
def dashboard(request):
    user = request.user
    office_queues = [
        {
            "cluster": c,
            "pending": c.pending_count,
            "can_review": can(user, "registry.change_cluster", c),
        }
        for c in selectors.office_clusters_with_pending(user)
    ]
    return render(
        request,
        "accounts/dashboard.html",
        {
            "memberships": selectors.my_memberships(user),
            "office_queues": office_queues,
            "is_operator": actor_for(user).is_operator,
            "active_tokens": selectors.my_tokens(user).filter(revoked_at__isnull=True).count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = services.update_profile(user=request.user, data=form.cleaned_data)
        language = user.language or translation.get_language()
        with translation.override(language):
            messages.success(request, _("Your profile has been saved."))
        response = redirect("accounts:profile")
        # The language cookie decides what the next page speaks; follow the new choice at once.
        if user.language:
            response.set_cookie(
                "django_language", user.language, max_age=365 * 24 * 3600, samesite="Lax"
            )
        else:
            response.delete_cookie("django_language")
        return response
    return render(request, "accounts/profile.html", {"form": form})


# --- registering an enterprise -------------------------------------------------------------------


def _add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError next to the field it is about, when the form has it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
    form._describe()


def _uscc_feedback(raw: str) -> dict:
    """What the page says about a code while it is typed."""
    raw = (raw or "").strip()
    if not raw:
        return {"uscc_errors": [], "uscc_result": None}
    result = validate_uscc(raw)
    errors = [{"code": e["code"], "message": e["message"]} for e in result.errors]
    if result.valid:
        existing = Enterprise.objects.filter(uscc=result.code).first()
        if existing is not None and Organisation.objects.filter(enterprise=existing).exists():
            errors.append(
                {
                    "code": "registered",
                    "message": _(
                        "This firm is already registered on Weft; ask its administrators to invite you."
                    ),
                }
            )
    return {"uscc_errors": errors, "uscc_result": result}


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_register(request):
    form = EnterpriseRegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cluster = form.cleaned_data["cluster"]
        try:
            org = registry_services.register_enterprise(
                user=request.user, data=form.registry_data(), cluster=cluster
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s is registered on Weft and you are its owner.") % {"name": org.name_zh},
            )
            if cluster is not None:
                messages.info(
                    request,
                    _("Your request to join %(cluster)s is waiting for the cluster office.")
                    % {"cluster": cluster.name},
                )
            # The public profile page lives in the registry app at this address.
            return redirect(f"/enterprises/{org.enterprise_id}/")
    feedback = {"uscc_errors": [], "uscc_result": None}
    if form.is_bound:
        errors = [
            {"code": e.code, "message": m}
            for e in form.errors.as_data().get("uscc", [])
            for m in e.messages
        ]
        raw = form.data.get("uscc", "").strip()
        feedback = {
            "uscc_errors": errors,
            "uscc_result": validate_uscc(raw) if raw and not errors else None,
        }
    return render(request, "accounts/enterprise_register.html", {"form": form, **feedback})


@login_required
def check_uscc(request):
    """The USCC field's feedback fragment, asked for by htmx as the person types."""
    return render(
        request, "accounts/_uscc_feedback.html", _uscc_feedback(request.GET.get("uscc", ""))
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request):
    form = ServiceProviderForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        org = services.create_organisation(
            user=request.user,
            kind=Organisation.Kind.SERVICE_PROVIDER,
            name_zh=form.cleaned_data["name_zh"].strip(),
            name_en=form.cleaned_data["name_en"].strip(),
        )
        messages.success(
            request, _("%(name)s has been created. You are its owner.") % {"name": org}
        )
        return redirect("accounts:organisation", org_id=org.pk)
    return render(request, "accounts/organisation_new.html", {"form": form})


# --- organisations and their members -------------------------------------------------------------


def _visible_org(request, org_id) -> Organisation:
    org = get_object_or_404(Organisation.objects.select_related("enterprise"), pk=org_id)
    if not can(request.user, "accounts.view_organisation", org):
        raise Http404
    return org


def _managed_org(request, org_id) -> Organisation:
    org = _visible_org(request, org_id)
    if not can(request.user, "accounts.manage_organisation", org):
        raise PermissionDenied
    return org


def _org_context(request, org, *, add_form=None, **extra) -> dict:
    user = request.user
    may_touch_owner = can(user, "accounts.change_owner_role", org)
    can_manage = can(user, "accounts.manage_organisation", org)
    members = selectors.organisation_members(org)
    for m in members:
        # Whether this row's role and removal can be changed by the viewer.
        m.editable = can_manage and (m.role != Membership.Role.OWNER or may_touch_owner)
    context = {
        "org": org,
        "members": members,
        "my_membership": next((m for m in members if m.user_id == user.pk), None),
        "can_manage": can_manage,
        "role_choices": role_choices(may_touch_owner=may_touch_owner),
        "add_form": add_form or AddMemberForm(may_touch_owner=may_touch_owner),
    }
    if org.enterprise_id:
        context["cluster_memberships"] = selectors.enterprise_cluster_memberships(org)
        context["can_edit_enterprise"] = can(user, "registry.change_enterprise", org.enterprise)
        if can(user, "registry.request_membership", org.enterprise):
            context["join_form"] = extra.pop("join_form", None) or JoinClusterForm()
    context.update(extra)
    return context


@login_required
def organisation_detail(request, org_id):
    org = _visible_org(request, org_id)
    return render(request, "accounts/organisation.html", _org_context(request, org))


def _members_response(request, org, *, notice="", error="", add_form=None, status=200):
    """htmx swaps the member section in place; without JavaScript the whole page comes back."""
    if request.htmx:
        context = _org_context(request, org, add_form=add_form, notice=notice, error=error)
        return render(request, "accounts/_members.html", context)
    if error or (add_form is not None and add_form.errors):
        context = _org_context(request, org, add_form=add_form, error=error)
        return render(request, "accounts/organisation.html", context, status=status)
    if notice:
        messages.success(request, notice)
    return redirect("accounts:organisation", org_id=org.pk)


@login_required
@require_POST
def member_add(request, org_id):
    org = _managed_org(request, org_id)
    form = AddMemberForm(
        request.POST, may_touch_owner=can(request.user, "accounts.change_owner_role", org)
    )
    if not form.is_valid():
        return _members_response(request, org, add_form=form, status=400)
    try:
        membership = services.add_member(
            user=request.user,
            organisation=org,
            username_or_email=form.cleaned_data["username_or_email"].strip(),
            role=form.cleaned_data["role"],
        )
    except ValidationError as exc:
        form.add_error("username_or_email", exc.messages)
        form._describe()
        return _members_response(request, org, add_form=form, status=400)
    notice = _("%(who)s is now a member (%(role)s).") % {
        "who": membership.user,
        "role": membership.get_role_display(),
    }
    return _members_response(request, org, notice=notice)


@login_required
@require_POST
def member_role(request, org_id, membership_id):
    org = _managed_org(request, org_id)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organisation=org
    )
    role = request.POST.get("role", "")
    if role not in Membership.Role.values:
        return _members_response(request, org, error=_("Choose a role from the list."), status=400)
    try:
        services.change_role(user=request.user, membership=membership, role=role)
    except PermissionDenied:
        return _members_response(
            request, org, error=_("Only owners can make or unmake owners."), status=403
        )
    except ValidationError as exc:
        return _members_response(request, org, error=" ".join(exc.messages), status=400)
    notice = _("%(who)s is now %(role)s.") % {
        "who": membership.user,
        "role": membership.get_role_display(),
    }
    return _members_response(request, org, notice=notice)


@login_required
@require_POST
def member_remove(request, org_id, membership_id):
    org = _managed_org(request, org_id)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), pk=membership_id, organisation=org
    )
    if membership.user_id == request.user.pk:
        return organisation_leave(request, org_id)
    try:
        services.remove_member(user=request.user, membership=membership)
    except PermissionDenied:
        return _members_response(
            request, org, error=_("Only owners can remove owners."), status=403
        )
    except ValidationError as exc:
        return _members_response(request, org, error=" ".join(exc.messages), status=400)
    return _members_response(
        request, org, notice=_("%(who)s has been removed.") % {"who": membership.user}
    )


@login_required
@require_POST
def organisation_leave(request, org_id):
    org = _visible_org(request, org_id)
    membership = Membership.objects.filter(organisation=org, user=request.user).first()
    if membership is None:
        raise Http404
    try:
        services.remove_member(user=request.user, membership=membership)
    except ValidationError as exc:
        message = " ".join(exc.messages) + " " + _("Make someone else an owner first.")
        return _members_response(request, org, error=message, status=400)
    messages.success(request, _("You have left %(org)s.") % {"org": org})
    if request.htmx:
        return HttpResponseClientRedirect(reverse("accounts:dashboard"))
    return redirect("accounts:dashboard")


@login_required
@require_POST
def organisation_join_cluster(request, org_id):
    org = _visible_org(request, org_id)
    if org.enterprise_id is None or not can(
        request.user, "registry.request_membership", org.enterprise
    ):
        raise PermissionDenied
    form = JoinClusterForm(request.POST)
    if form.is_valid():
        cluster = form.cleaned_data["cluster"]
        try:
            registry_services.request_membership(
                user=request.user, enterprise=org.enterprise, cluster=cluster
            )
        except ValidationError as exc:
            form.add_error("cluster", exc.messages)
            form._describe()
        else:
            messages.success(
                request,
                _("Your request to join %(cluster)s has been sent to its cluster office.")
                % {"cluster": cluster.name},
            )
            return redirect("accounts:organisation", org_id=org.pk)
    return render(
        request,
        "accounts/organisation.html",
        _org_context(request, org, join_form=form),
        status=400,
    )


# --- cluster offices: join requests --------------------------------------------------------------


def _reviewed_cluster(request, cluster_id) -> Cluster:
    cluster = get_object_or_404(Cluster, pk=cluster_id)
    # Keeping a cluster's roll is the same right as changing the cluster: its office admins, the operator.
    if not can(request.user, "registry.change_cluster", cluster):
        raise Http404
    return cluster


@login_required
def cluster_requests(request, cluster_id):
    cluster = _reviewed_cluster(request, cluster_id)
    return render(
        request,
        "accounts/cluster_requests.html",
        {
            "cluster": cluster,
            "pending": selectors.pending_requests(cluster),
            "decided": selectors.recent_decisions(cluster),
        },
    )


@login_required
@require_POST
def decide_request(request, cluster_id, request_id):
    cluster = _reviewed_cluster(request, cluster_id)
    membership = get_object_or_404(
        ClusterMembership.objects.select_related("enterprise", "requested_by"),
        pk=request_id,
        cluster=cluster,
    )
    form = DecisionForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("Choose approve or reject.")
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            membership = registry_services.decide_membership(
                user=request.user,
                membership=membership,
                approve=approve,
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            _tell_requester(request, membership, cluster)
    if request.htmx:
        return render(
            request,
            "accounts/_request_row.html",
            {"cluster": cluster, "r": membership, "error": error},
        )
    if error:
        messages.error(request, error)
    elif membership.status == ClusterMembership.Status.APPROVED:
        messages.success(
            request,
            _("%(firm)s is now a member of %(cluster)s.")
            % {"firm": membership.enterprise, "cluster": cluster.name},
        )
    else:
        messages.info(
            request, _("The request from %(firm)s was rejected.") % {"firm": membership.enterprise}
        )
    return redirect("accounts:cluster_requests", cluster_id=cluster.pk)


def _tell_requester(request, membership, cluster) -> None:
    requester = membership.requested_by
    if requester is None or not requester.is_active:
        return
    send_user_mail(
        requester,
        "membership_decided",
        {
            "membership": membership,
            "cluster": cluster,
            "enterprise": membership.enterprise,
            "approved": membership.status == ClusterMembership.Status.APPROVED,
            "profile_url": request.build_absolute_uri(f"/enterprises/{membership.enterprise_id}/"),
        },
    )


# --- API tokens ----------------------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request):
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, secret = services.issue_token(
            user=request.user, name=form.cleaned_data["name"].strip()
        )
        # Rendered, not redirected: the secret exists only in this response and is never stored.
        response = render(
            request, "accounts/token_created.html", {"token": token, "secret": secret}
        )
        response["Cache-Control"] = "no-store, private"
        return response
    return render(
        request, "accounts/tokens.html", {"form": form, "tokens": selectors.my_tokens(request.user)}
    )


@login_required
@require_POST
def token_revoke(request, token_id):
    # Someone else's token answers exactly like a missing one.
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.revoke_token(user=request.user, token=token)
    messages.success(
        request, _("The token %(prefix)s… has been revoked.") % {"prefix": token.prefix}
    )
    return redirect("accounts:tokens")
