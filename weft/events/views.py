"""Calendar, competitions, news and regional brand pages (thin; rules in services/permissions)."""

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weft.accounts.models import Organisation
from weft.accounts.permissions import actor_for, can, publish_events_q
from weft.core.params import id_param, int_param
from weft.registry.models import Cluster, Enterprise

from . import selectors, services
from .models import Entry, Event, NewsPost, RegionalBrand, Score


def _filters(request):
    cluster = Cluster.objects.filter(slug=request.GET.get("cluster", "")).first()
    kind = request.GET.get("kind", "")
    return cluster, (kind if kind in Event.Kind.values else "")


def _month(request) -> date:
    try:
        return datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        return timezone.localdate().replace(day=1)


def calendar(request):
    cluster, kind = _filters(request)
    month = _month(request)
    context = {
        "cluster": cluster,
        "kind": kind,
        "kinds": Event.Kind.choices,
        "clusters": Cluster.objects.all(),
        "view": "month" if request.GET.get("view") == "month" else "list",
        "month": month,
        "prev_month": (month.replace(day=1) - timezone.timedelta(days=1)).strftime("%Y-%m"),
        "next_month": (month.replace(day=28) + timezone.timedelta(days=4)).strftime("%Y-%m"),
        "can_publish": _office_clusters(request.user).exists(),
    }
    if context["view"] == "month":
        context["weeks"] = selectors.month_grid(month.year, month.month, cluster=cluster, kind=kind)
    else:
        context["events"] = selectors.events(cluster=cluster, kind=kind, start=timezone.now())[:200]
    return render(request, "events/calendar.html", context)


def calendar_ics(request):
    cluster, kind = _filters(request)
    items = selectors.events(cluster=cluster, kind=kind)
    name = f"{cluster.name_zh} · Weft" if cluster else "Weft"
    body = selectors.ical(items, name=name, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = f"weft-{cluster.slug if cluster else 'all'}.ics"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _office_clusters(user):
    """The clusters the user may publish events for (`events.publish`)."""
    return Cluster.objects.filter(publish_events_q(user))


def detail(request, pk):
    event = get_object_or_404(Event.objects.select_related("cluster", "organiser"), pk=pk)
    return render(
        request,
        "events/detail.html",
        {
            "event": event,
            "can_enter": can(request.user, "events.enter", event),
            "can_judge": can(request.user, "events.judge", event),
            "can_manage": can(request.user, "events.manage", event),
            "results": services.results(event) if event.results_published else None,
            "my_entry": event.entries.filter(entrant=request.user).first()
            if request.user.is_authenticated
            else None,
        },
    )


@login_required
def new(request):
    clusters = _office_clusters(request.user)
    if not clusters.exists():
        raise PermissionDenied(_("Cluster offices and the operator publish events."))
    errors = []
    if request.method == "POST":
        cluster_id = id_param(request.POST, "cluster")
        # A word or an unknown id is a 404; another office's cluster goes on to the service,
        # which refuses it as such (the page offers no national events: they are the API's).
        cluster = Cluster.objects.filter(pk=cluster_id).first()
        if cluster is None:
            raise Http404(_("No such cluster."))
        try:
            data = {
                "kind": request.POST.get("kind", ""),
                "title": request.POST.get("title", "").strip(),
                "summary": request.POST.get("summary", ""),
                "place": request.POST.get("place", ""),
                "starts_at": _parse_dt(request.POST.get("starts_at")),
                "ends_at": _parse_dt(request.POST.get("ends_at")),
            }
            event = services.create_event(user=request.user, cluster=cluster, data=data)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, _("The event is on the calendar."))
            return redirect("events:detail", pk=event.pk)
    return render(
        request,
        "events/new.html",
        {"clusters": clusters, "kinds": Event.Kind.choices, "errors": errors, "post": request.POST},
    )


def _parse_dt(value):
    try:
        return timezone.make_aware(datetime.fromisoformat(value or ""))
    except ValueError:
        raise ValidationError(_("Give dates and times as YYYY-MM-DD HH:MM.")) from None


@login_required
@require_POST
def enter(request, pk):
    event = get_object_or_404(Event, pk=pk)
    upload = request.FILES.get("image")
    try:
        if upload is None:
            raise ValidationError(_("Attach an image of your design."))
        services.submit_entry(
            user=request.user,
            event=event,
            title=request.POST.get("title", ""),
            statement=request.POST.get("statement", ""),
            upload=upload,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Your entry was received."))
    return redirect("events:detail", pk=pk)


def entry_image(request, pk):
    entry = get_object_or_404(Entry.objects.select_related("event"), pk=pk)
    if not can(request.user, "events.view_entry", entry):
        raise Http404(_("No entry with this number."))
    response = FileResponse(entry.image.open("rb"), content_type=entry.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def judging(request, pk):
    event = get_object_or_404(Event, pk=pk)
    is_judge = can(request.user, "events.judge", event)
    if not (is_judge or can(request.user, "events.manage", event)):
        raise PermissionDenied(_("Only the judges and the organiser see the judging."))
    if request.method == "POST":
        entry = get_object_or_404(Entry, pk=id_param(request.POST, "entry"), event=event)
        points = int_param(request.POST, "points")
        try:
            services.score_entry(
                user=request.user,
                entry=entry,
                points=points,
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("events:judging", pk=pk)
    mine = {}
    if is_judge:
        mine = {s.entry_id: s for s in Score.objects.filter(entry__event=event, judge=request.user)}
    return render(
        request,
        "events/judging.html",
        {
            "event": event,
            "rows": services.results(event),
            "mine": mine,
            "is_judge": is_judge,
            "can_manage": can(request.user, "events.manage", event),
        },
    )


@login_required
@require_POST
def publish_results(request, pk):
    event = get_object_or_404(Event, pk=pk)
    try:
        services.publish_results(user=request.user, event=event)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("events:detail", pk=pk)


def news_list(request):
    cluster = Cluster.objects.filter(slug=request.GET.get("cluster", "")).first()
    return render(
        request,
        "events/news_list.html",
        {"posts": selectors.news(cluster=cluster)[:100], "cluster": cluster},
    )


def news_detail(request, pk):
    return render(
        request,
        "events/news_detail.html",
        {"post": get_object_or_404(NewsPost.objects.select_related("author_org"), pk=pk)},
    )


def _news_orgs(user):
    actor = actor_for(user)
    orgs = Organisation.objects.filter(
        pk__in=actor.org_ids(admin=True),
        kind__in=[Organisation.Kind.CLUSTER_OFFICE, Organisation.Kind.OPERATOR],
    )
    return [o for o in orgs if can(user, "events.post_news", o)]


@login_required
def news_new(request):
    orgs = _news_orgs(request.user)
    if not orgs:
        raise PermissionDenied(_("Cluster offices and the operator post news."))
    errors = []
    if request.method == "POST":
        org = next((o for o in orgs if str(o.pk) == request.POST.get("org")), None)
        cluster = Cluster.objects.filter(office=org).first() if org else None
        try:
            if org is None:
                raise ValidationError(_("Choose who posts the news."))
            post = services.post_news(
                user=request.user,
                org=org,
                cluster=cluster,
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
            )
        except ValidationError as exc:
            errors = exc.messages
        else:
            return redirect("events:news_detail", pk=post.pk)
    return render(request, "events/news_new.html", {"orgs": orgs, "errors": errors})


def brand(request, slug):
    cluster = get_object_or_404(Cluster, slug=slug)
    brand = RegionalBrand.objects.filter(cluster=cluster).first()
    licences = brand.licences.select_related("enterprise") if brand else []
    return render(
        request,
        "events/brand.html",
        {
            "cluster": cluster,
            "brand": brand,
            "licences": licences,
            "can_edit": can(request.user, "events.manage_brand", cluster),
        },
    )


@login_required
def brand_edit(request, slug):
    cluster = get_object_or_404(Cluster, slug=slug)
    if not can(request.user, "events.manage_brand", cluster):
        raise PermissionDenied(_("Only the cluster office keeps its brand."))
    brand = RegionalBrand.objects.filter(cluster=cluster).first()
    if request.method == "POST":
        try:
            if request.POST.get("enterprise"):
                if brand is None:
                    raise ValidationError(_("Save the brand first, then name a member firm."))
                firm = Enterprise.objects.filter(pk=id_param(request.POST, "enterprise")).first()
                if firm is None:
                    raise ValidationError(
                        _("No enterprise has the number “%(value)s”.")
                        % {"value": request.POST["enterprise"][:20]}
                    )
                services.grant_licence(
                    user=request.user,
                    brand=brand,
                    enterprise=firm,
                    products=request.POST.get("products", ""),
                )
            else:
                fields = ("name", "story", "trademark", "trademark_number", "trademark_classes")
                services.save_brand(
                    user=request.user,
                    cluster=cluster,
                    data={f: request.POST.get(f, "") for f in fields},
                )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Saved."))
        return redirect("events:brand_edit", slug=slug)
    return render(request, "events/brand_edit.html", {"cluster": cluster, "brand": brand})
