"""Pages: a cluster's chain diagram with its gaps and partners; docking events and meetings."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weft.accounts.models import Organisation
from weft.accounts.permissions import actor_for, can
from weft.core.params import id_param
from weft.registry.models import Cluster, Enterprise

from . import docking, partners, selectors, services
from .forms import DeclareGapForm, EventForm, OutcomeForm, RegistrationForm
from .models import DockingEvent, Meeting, RecomputeRun, Registration

# Where each stage sits in the diagram: upstream on the left, services along the bottom.
LAYOUT = {
    "fiber": (0, 1),
    "textile_machinery": (0, 3),
    "spinning": (1, 1),
    "weaving": (2, 0),
    "knitting": (2, 2),
    "dyeing_finishing": (3, 0),
    "printing": (3, 2),
    "accessories": (3, 3.2),
    "garment_making": (4, 0.6),
    "home_textiles": (4, 2),
    "design": (5, 0),
    "brand": (5, 0.8),
    "ecommerce": (5, 1.6),
    "wholesale_market": (5, 2.4),
    "logistics": (5, 3.2),
}


def _diagram(cluster, profile, gaps) -> dict:
    gap_stages = {}
    for g in gaps:
        for code in g.stages:
            gap_stages.setdefault(code, g)
    by_code = {p.stage.code: p for p in profile}
    nodes = []
    for stage in selectors.stages():
        p = by_code.get(stage.code)
        gap = gap_stages.get(stage.code)
        state = "gap" if gap else (p.level if p else "missing")
        if p:
            detail = _(
                "%(firms)d firms, %(emp)d employees, %(share).1f%% of the nation's workers in it"
            ) % {
                "firms": p.firms,
                "emp": p.employees,
                "share": p.share_employees * 100,
            }
        else:
            detail = _("No member firms in this stage")
        x, y = LAYOUT.get(stage.code, (6, stage.order))
        nodes.append(
            {
                "id": stage.code,
                "name": stage.name,
                "state": state,
                "x": x,
                "y": y,
                "detail": detail,
                "evidence": gap.evidence if gap else "",
                "gap": gap.group if gap else "",
            }
        )
    edges = [{"source": k.supplier.code, "target": k.consumer.code} for k in selectors.links()]
    return {"nodes": nodes, "edges": edges}


def cluster_chain(request, slug):
    cluster = get_object_or_404(Cluster, slug=slug)
    profile = selectors.cluster_profile(cluster)
    gaps = selectors.cluster_gaps(cluster)
    can_declare = can(request.user, "chain.declare_gap", cluster)
    run = RecomputeRun.objects.filter(status=RecomputeRun.Status.DONE).first()
    return render(
        request,
        "chain/cluster_chain.html",
        {
            "cluster": cluster,
            "profile": profile,
            "gaps": gaps,
            "diagram": _diagram(cluster, profile, gaps),
            "form": DeclareGapForm() if can_declare else None,
            "run": run,
        },
    )


def gap_partners(request, slug, group):
    cluster = get_object_or_404(Cluster, slug=slug)
    found = partners.gap_stages(cluster, group)
    if found is None:
        raise Http404(_("No such gap."))
    stages, certs = found
    recs = partners.recommend_clusters(cluster, stages, certifications=certs, limit=8)
    en = (get_language() or "").startswith("en")
    for r in recs:
        r.reason = r.reason_en if en else r.reason_zh
    gap = next((g for g in selectors.cluster_gaps(cluster) if g.group == group), None)
    return render(
        request,
        "chain/_partners.html",
        {"cluster": cluster, "recs": recs, "gap": gap, "group": group},
    )


@require_POST
def declare_gap(request, slug):
    cluster = get_object_or_404(Cluster, slug=slug)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can(request.user, "chain.declare_gap", cluster):
        raise PermissionDenied
    form = DeclareGapForm(request.POST)
    if form.is_valid():
        try:
            services.declare_gap(request.user, cluster, **form.service_kwargs())
            messages.success(request, _("The need is recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect("chain:cluster_chain", slug=cluster.slug)


# --- docking events ------------------------------------------------------------------------------


def event_list(request):
    events = DockingEvent.objects.select_related("host")
    return render(
        request,
        "chain/event_list.html",
        {"events": events, "can_host": bool(_hostable(request.user))},
    )


def _my_firms(user) -> list[Enterprise]:
    """The firms the user may register (their own firms' records)."""
    actor = actor_for(user)
    org_ids = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    firms = Enterprise.objects.filter(organisation__id__in=org_ids)
    return [f for f in firms if can(user, "docking.register", f)]


def event_detail(request, pk):
    event = get_object_or_404(DockingEvent.objects.select_related("host"), pk=pk)
    registrations = list(Registration.objects.filter(event=event).select_related("enterprise"))
    mine = [
        r
        for r in registrations
        if request.user.is_authenticated
        and can(request.user, "docking.view_registration", r)
        and not can(request.user, "docking.manage_event", event)
    ]
    my_meetings = [(r, docking.meetings_of(r)) for r in mine]
    registered = {r.enterprise_id for r in registrations}
    firms = (
        [f for f in _my_firms(request.user) if f.pk not in registered]
        if request.user.is_authenticated
        else []
    )
    form = (
        RegistrationForm(firms=firms)
        if firms and event.status != DockingEvent.Status.CLOSED
        else None
    )
    return render(
        request,
        "chain/event_detail.html",
        {
            "event": event,
            "registrations": registrations,
            "my_meetings": my_meetings,
            "form": form,
            "can_manage": can(request.user, "docking.manage_event", event),
            "slots": list(event.slots.all()),
            "meetings": list(
                event.meetings.select_related("slot", "first__enterprise", "second__enterprise")
            )
            if can(request.user, "docking.manage_event", event)
            else [],
            "report": docking.event_report(event)
            if can(request.user, "docking.manage_event", event)
            else None,
            "outcome_form": OutcomeForm(),
        },
    )


@require_POST
def event_register(request, pk):
    event = get_object_or_404(DockingEvent, pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    firms = _my_firms(request.user)
    form = RegistrationForm(request.POST, firms=firms)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("chain:event_detail", pk=event.pk)
    try:
        docking.register(request.user, event, **form.service_kwargs())
        messages.success(request, _("Your firm is registered."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("chain:event_detail", pk=event.pk)


@require_POST
def event_schedule(request, pk):
    event = get_object_or_404(DockingEvent, pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can(request.user, "docking.manage_event", event):
        raise PermissionDenied
    try:
        n = docking.schedule_event(request.user, event)
        messages.success(request, _("Schedule built: %(n)d meetings.") % {"n": n})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("chain:event_detail", pk=event.pk)


def _hostable(user) -> list[Cluster]:
    """Clusters the user may host an event for."""
    if not user.is_authenticated:
        return []
    actor = actor_for(user)
    qs = (
        Cluster.objects.all()
        if actor.is_operator
        else Cluster.objects.filter(pk__in=actor.office_cluster_ids(admin=True))
    )
    return [c for c in qs.order_by("province", "slug") if can(user, "docking.create_event", c)]


def event_new(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    clusters = _hostable(request.user)
    if not clusters:
        raise PermissionDenied
    form = EventForm(request.POST or None, clusters=clusters)
    if request.method == "POST" and form.is_valid():
        try:
            event = docking.create_event(
                request.user, form.clusters[form.cleaned_data["host"]], **form.service_kwargs()
            )
            messages.success(request, _("The docking event is open for registration."))
            return redirect("chain:event_detail", pk=event.pk)
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(request, "chain/event_new.html", {"form": form})


def _acting_registration(request, event, meeting=None) -> Registration:
    """The registration the user acts for (posted as `registration`), checked against the rules."""
    reg = (
        Registration.objects.select_related("event", "enterprise")
        .filter(pk=id_param(request.POST, "registration"), event=event)
        .first()
    )
    if reg is None:
        raise Http404(_("No such registration for this event."))
    if meeting is not None and reg.pk not in (meeting.first_id, meeting.second_id):
        raise Http404(_("No such meeting for this firm."))
    if not can(request.user, "docking.act_for", reg):
        raise PermissionDenied
    return reg


@require_POST
def meeting_respond(request, pk, meeting_id):
    event = get_object_or_404(DockingEvent, pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    meeting = get_object_or_404(Meeting, pk=meeting_id, event=event)
    reg = _acting_registration(request, event, meeting)
    accept = request.POST.get("decision") == "accept"
    docking.respond(request.user, meeting, reg, accept)
    messages.success(request, _("Meeting accepted.") if accept else _("Meeting declined."))
    return redirect("chain:event_detail", pk=event.pk)


@require_POST
def meeting_outcome(request, pk, meeting_id):
    event = get_object_or_404(DockingEvent, pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    meeting = get_object_or_404(Meeting, pk=meeting_id, event=event)
    reg = _acting_registration(request, event, meeting)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("chain:event_detail", pk=event.pk)
    try:
        docking.record_outcome(request.user, meeting, reg, **form.cleaned_data)
        messages.success(request, _("The outcome is recorded."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("chain:event_detail", pk=event.pk)


@require_POST
def meeting_request(request, pk):
    event = get_object_or_404(DockingEvent, pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    reg = _acting_registration(request, event)
    target = Registration.objects.filter(pk=id_param(request.POST, "target"), event=event).first()
    if target is None:
        raise Http404(_("No such registration for this event."))
    try:
        docking.request_meeting(request.user, reg, target)
        messages.success(
            request, _("Your request is noted; it counts when the schedule is rebuilt.")
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("chain:event_detail", pk=event.pk)


def _schedule_file(request, pk, kind: str):
    """Per participant (?registration=<id>) or per table (organisers), as PDF or XLSX."""
    from django.http import HttpResponse

    event = get_object_or_404(DockingEvent, pk=pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    reg = None
    if request.GET.get("registration"):
        reg = Registration.objects.filter(
            pk=id_param(request.GET, "registration"), event=event
        ).first()
        if reg is None:
            raise Http404(_("No such registration for this event."))
        if not can(request.user, "docking.print_schedule", reg):
            raise PermissionDenied
    elif not can(request.user, "docking.print_tables", event):
        raise PermissionDenied
    name, data, content_type = docking.schedule_file(event, reg, kind)
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def event_schedule_xlsx(request, pk):
    return _schedule_file(request, pk, "xlsx")


def event_schedule_pdf(request, pk):
    return _schedule_file(request, pk, "pdf")
