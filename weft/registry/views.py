"""Public pages of the registry: home, cluster and enterprise directories and profiles.

Views stay thin: reads come from selectors, writes go through services, permissions through can().
Directory pages answer htmx requests with the results fragment only, and plain GETs with the page.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weft.accounts.permissions import can
from weft.core.pagination import nearest_page

from . import selectors, services
from .directory import DirectoryListing
from .forms import ClusterFilterForm, ConfirmOwnerForm, EnterpriseEditForm, EnterpriseFilterForm
from .models import Cluster, Enterprise

PAGE_SIZE = 20
HEADLINE_CACHE_KEY = "weft:registry:headline_figures"
HEADLINE_CACHE_SECONDS = 300  # counting a million rows on every home page view is wasteful
MEMBER_COUNTS_CACHE_KEY = "weft:registry:cluster_member_counts"


def _wants_fragment(request) -> bool:
    htmx = getattr(request, "htmx", None)
    # A history restore needs the whole page, not the fragment.
    return bool(htmx) and not htmx.history_restore_request


def _render_directory(request, page_template, fragment_template, context):
    template = fragment_template if _wants_fragment(request) else page_template
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _cluster_points(clusters) -> list[dict]:
    return [
        {
            "name": c.name,
            "specialty": c.specialty,
            "value": [float(c.longitude), float(c.latitude), c.size_weight],
            "url": f"/clusters/{c.slug}/",
            "pilot": c.is_pilot,
        }
        for c in clusters
    ]


def home(request):
    figures = cache.get_or_set(
        HEADLINE_CACHE_KEY, selectors.headline_figures, HEADLINE_CACHE_SECONDS
    )
    clusters = list(Cluster.objects.order_by("province", "slug"))
    return render(
        request,
        "registry/home.html",
        {"figures": figures, "clusters": clusters, "map_points": _cluster_points(clusters)},
    )


def cluster_list(request):
    form = ClusterFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # invalid filters are reported and left out; the valid ones still apply
    clusters = list(selectors.cluster_directory(**form.selector_filters()))
    # Grouping every membership takes seconds at a million firms; a few minutes' lag is fine here.
    counts = cache.get_or_set(
        MEMBER_COUNTS_CACHE_KEY, selectors.cluster_member_counts, HEADLINE_CACHE_SECONDS
    )
    for c in clusters:
        c.member_count = counts.get(c.pk, 0)
    return _render_directory(
        request,
        "registry/cluster_list.html",
        "registry/_cluster_results.html",
        {"form": form, "clusters": clusters},
    )


def cluster_detail(request, slug):
    cluster = get_object_or_404(Cluster.objects.select_related("office"), slug=slug)
    stage_counts = selectors.cluster_stage_counts(cluster)
    members = DirectoryListing(selectors.EnterpriseFilters(cluster=cluster.pk))
    page = nearest_page(Paginator(members, PAGE_SIZE), request.GET.get("page"))
    return render(
        request,
        "registry/cluster_detail.html",
        {
            "cluster": cluster,
            "stage_counts": stage_counts,
            "stages_present": sum(1 for _stage, n in stage_counts if n),
            "page": page,
            "map_points": _cluster_points([cluster]),
        },
    )


def enterprise_list(request):
    form = EnterpriseFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()
    filters = selectors.EnterpriseFilters(**form.selector_filters())
    results = DirectoryListing(filters)
    page = nearest_page(Paginator(results, PAGE_SIZE), request.GET.get("page"))
    return _render_directory(
        request,
        "registry/enterprise_list.html",
        "registry/_enterprise_results.html",
        {"form": form, "page": page, "selected_cluster": form.selected_cluster()},
    )


def _contact_rows(enterprise, user) -> list[dict]:
    """Each contact field with its value, or why it is hidden from this visitor."""
    labels = {
        "name": _("Contact person"),
        "phone": _("Phone"),
        "email": _("E-mail"),
    }
    visible = selectors.visible_contact(enterprise, user)
    rows = []
    for field in Enterprise.CONTACT_FIELDS:
        key = field.removeprefix("contact_")
        value = visible[key]
        hidden_reason = ""
        if value is None:
            level = enterprise.contact_visibility_of(field)
            hidden_reason = (
                _("Visible to signed-in users")
                if level == Enterprise.Visibility.REGISTERED
                else _("Not public")
            )
        rows.append(
            {"key": key, "label": labels[key], "value": value, "hidden_reason": hidden_reason}
        )
    return rows


def _get_enterprise(pk) -> Enterprise:
    try:
        return selectors.enterprise_detail(pk)
    except Enterprise.DoesNotExist:
        raise Http404(_("No enterprise with this number.")) from None


def enterprise_detail(request, pk):
    enterprise = _get_enterprise(pk)
    return render(
        request,
        "registry/enterprise_detail.html",
        {
            "enterprise": enterprise,
            "clusters": selectors.approved_clusters(enterprise),
            "contact_rows": _contact_rows(enterprise, request.user),
            "can_edit": can(request.user, "registry.change_enterprise", enterprise),
        },
    )


def enterprise_edit(request, pk):
    enterprise = _get_enterprise(pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can(request.user, "registry.change_enterprise", enterprise):
        raise PermissionDenied(_("You may not change this enterprise's profile."))
    form = EnterpriseEditForm(request.POST or None, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return redirect("registry:enterprise_detail", pk=enterprise.pk)
        try:
            services.update_enterprise(
                user=request.user,
                enterprise=enterprise,
                data=changes,
                org=selectors.acting_organisation(request.user, enterprise),
            )
        except ValidationError as exc:
            _attach_errors(form, exc)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("registry:enterprise_detail", pk=enterprise.pk)
    owner_form = (
        ConfirmOwnerForm() if can(request.user, "registry.confirm_owner", enterprise) else None
    )
    return render(
        request,
        "registry/enterprise_edit.html",
        {"enterprise": enterprise, "form": form, "owner_form": owner_form},
    )


@require_POST
def enterprise_owner(request, pk):
    """The firm's cluster office (or the operator) hands a firm nobody speaks for to its owner."""
    enterprise = _get_enterprise(pk)
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("registry:enterprise_edit", args=[pk]))
    if not can(request.user, "registry.confirm_owner", enterprise):
        raise PermissionDenied(_("You may not hand this firm over."))
    form = ConfirmOwnerForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors["username_or_email"]))
        return redirect("registry:enterprise_edit", pk=pk)
    try:
        org = services.confirm_owner(
            user=request.user,
            enterprise=enterprise,
            username_or_email=form.cleaned_data["username_or_email"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("registry:enterprise_edit", pk=pk)
    owner = org.memberships.get().user
    messages.success(
        request, _("%(who)s now owns %(firm)s.") % {"who": owner.username, "firm": org.name_zh}
    )
    return redirect("registry:enterprise_detail", pk=pk)


def _attach_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
