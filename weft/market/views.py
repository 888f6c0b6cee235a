"""Marketplace pages. Thin: reads from selectors, writes through services, rules via can()."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from weft.accounts.permissions import can, firms_to_post_for
from weft.core.pagination import nearest_page
from weft.core.params import id_param, int_param

from . import matching, selectors, services
from .forms import (
    AttachmentForm,
    BrowseForm,
    DemandEditForm,
    DemandForm,
    OfferForm,
    QuoteForm,
    ReportForm,
)
from .models import Attachment, Award, CapacityOffer, Demand, Quote, Report

PAGE_SIZE = 20


def _save_form(form, write):
    """Run a service write for a valid form; a refusal or invalid data becomes the form's
    errors (then `form.errors` is set and None is returned)."""
    try:
        return write()
    except ValidationError as exc:
        _apply_errors(form, exc)
    except services.Refused as exc:
        form.add_error(None, exc.message)
    return None


def _apply_errors(form, exc: ValidationError):
    if hasattr(exc, "message_dict"):
        for field, errors in exc.message_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(target, e)
    else:
        for e in exc.messages:
            form.add_error(None, e)


def browse(request):
    form = BrowseForm(request.GET or None)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    filters = selectors.PostFilters(
        q=data.get("q", ""),
        stage=data.get("stage", ""),
        category=data.get("category", ""),
        cluster=data["cluster"].pk if data.get("cluster") else None,
        province=data.get("province", ""),
    )
    kind = data.get("kind") or "demands"
    if kind == "offers":
        qs = selectors.search_offers(request.user, filters)
    else:
        qs = selectors.search_demands(request.user, filters)
    page = nearest_page(Paginator(qs, PAGE_SIZE), request.GET.get("page"))
    context = {"form": form, "page": page, "kind": kind, "filters": filters.as_dict()}
    htmx = getattr(request, "htmx", None)
    template = (
        "market/_results.html"
        if htmx and not htmx.history_restore_request
        else "market/browse.html"
    )
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_POST
def save_search(request):
    filters = {k: request.POST.get(k, "") for k in services.SEARCH_KEYS}
    try:
        services.save_search(
            user=request.user,
            name=request.POST.get("name", "") or filters.get("q") or _("My search"),
            kind=request.POST.get("kind", "demands"),
            filters=filters,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Search saved: you will hear about new posts that fit."))
    return redirect("market:mine")


def _firm_choice(request):
    """The firm to act for: the only one, or the one chosen in the form."""
    return id_param(request.POST, "enterprise_id")


@login_required
def demand_new(request):
    form = DemandForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        publish = data.pop("publish")
        demand = _save_form(
            form,
            lambda: services.post_demand(
                user=request.user, data=data, enterprise_id=_firm_choice(request), publish=publish
            ),
        )
        if not form.errors:
            messages.success(request, _("Your demand is posted."))
            return redirect("market:demand_detail", pk=demand.pk)
    if not firms_to_post_for(request.user):  # the form posts for one of these
        raise PermissionDenied
    return render(request, "market/demand_form.html", {"form": form})


def demand_detail(request, pk):
    try:
        demand = selectors.demand_for(request.user, pk)
    except Demand.DoesNotExist:
        raise Http404(_("No demand has id %(id)d.") % {"id": pk}) from None
    user = request.user
    is_buyer = can(user, "market.view_demand_quotes", demand)
    context = {
        "demand": demand,
        "actions": services.allowed_actions(user, demand),
        "transitions": selectors.demand_history(user, demand),
        "manage": can(user, "market.manage_demand", demand),
        "editable": demand.status in services.EDITABLE_STATUSES
        and can(user, "market.edit_demand", demand),
        "is_buyer": is_buyer,
        "quotes": selectors.visible_quotes(user)
        .filter(demand=demand)
        .select_related("supplier", "demand")
        .prefetch_related("attachments")
        .order_by("unit_price", "lead_time_days")[:200],
        "can_quote": demand.status == Demand.Status.OPEN and can(user, "market.quote", demand),
        "quote_form": QuoteForm(initial={"quantity": demand.quantity}),
        "report_form": ReportForm(),
        "attachment_form": AttachmentForm(),
        "attachments": demand.attachments.all(),
        "certifications": demand.certifications.all(),
    }
    for q in context["quotes"]:
        q.files = list(q.attachments.all()) if can(user, "market.quote_files", q) else None
        q.can_attach = can(user, "market.manage_quote", q)
    if is_buyer and demand.status in (Demand.Status.DRAFT, Demand.Status.OPEN):
        context["matches"] = matching.matches_for_demand(demand, limit=10)
        context["invited"] = set(demand.invitations.values_list("enterprise_id", flat=True))
    if user.is_authenticated:
        context["my_awards"] = Award.objects.filter(demand=demand).select_related("quote__supplier")
    return render(request, "market/demand_detail.html", context)


def _visible_demand(request, pk):
    try:
        return selectors.demand_for(request.user, pk)
    except Demand.DoesNotExist:
        raise Http404 from None


@login_required
def demand_edit(request, pk):
    """The buyer's admins edit a draft or open demand; once quotes are in, some fields lock."""
    demand = _visible_demand(request, pk)
    if not can(request.user, "market.edit_demand", demand):
        raise PermissionDenied
    if demand.status not in services.EDITABLE_STATUSES:
        messages.error(
            request,
            _("A demand that is %(s)s can no longer be edited.")
            % {"s": Demand.Status(demand.status).label},
        )
        return redirect("market:demand_detail", pk=pk)
    locked = services.locked_fields(demand)
    initial = {f: getattr(demand, f) for f in services.DEMAND_FIELDS}
    initial["quote_deadline"] = timezone.localtime(demand.quote_deadline).strftime("%Y-%m-%dT%H:%M")
    initial["certifications"] = list(demand.certifications.values_list("code", flat=True))
    form = DemandEditForm(request.POST or None, initial=initial, locked=locked)
    if request.method == "POST" and form.is_valid():
        _save_form(
            form,
            lambda: services.edit_demand(
                user=request.user, demand=demand, data=form.changed(demand)
            ),
        )
        if not form.errors:
            messages.success(request, _("Your changes are saved."))
            return redirect("market:demand_detail", pk=pk)
    context = {"form": form, "demand": demand, "locked": locked}
    return render(request, "market/demand_edit.html", context)


def _run(request, fn, success: str):
    try:
        fn()
    except services.Refused as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)


@login_required
@require_POST
def demand_action(request, pk, action):
    demand = _visible_demand(request, pk)
    if action not in services.ACTIONS:
        raise Http404
    if not can(request.user, "market.manage_demand", demand):
        raise PermissionDenied
    _run(
        request,
        lambda: services.act(request.user, demand, action, request.POST.get("note", "")),
        _("Done: the demand is now %(s)s.") % {"s": Demand.Status(services.ACTIONS[action]).label},
    )
    return redirect("market:demand_detail", pk=pk)


@login_required
@require_POST
def demand_quote(request, pk):
    demand = _visible_demand(request, pk)
    if not can(request.user, "market.quote", demand):
        raise PermissionDenied
    form = QuoteForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(
                request,
                f"{form.fields[field].label if field in form.fields else ''}: {' '.join(errors)}",
            )
        return redirect("market:demand_detail", pk=pk)
    _run(
        request,
        lambda: services.submit_quote(
            user=request.user,
            demand=demand,
            data=form.cleaned_data,
            enterprise_id=_firm_choice(request),
        ),
        _("Your quote is sent to the buyer."),
    )
    return redirect("market:demand_detail", pk=pk)


@login_required
@require_POST
def demand_invite(request, pk):
    from weft.registry.models import Enterprise

    demand = _visible_demand(request, pk)
    if not can(request.user, "market.manage_demand", demand):
        raise PermissionDenied
    firm = get_object_or_404(Enterprise, pk=id_param(request.POST, "enterprise_id"))
    _run(
        request,
        lambda: services.invite(user=request.user, demand=demand, enterprise=firm),
        _("%(firm)s is invited to quote.") % {"firm": firm.name},
    )
    return redirect("market:demand_detail", pk=pk)


def _visible_quote(request, pk):
    quote = selectors.visible_quotes(request.user).filter(pk=pk).select_related("demand").first()
    if quote is None:
        raise Http404(_("No quote has id %(id)d.") % {"id": pk})
    return quote


# What a file may be attached to: how to find it (404 if not visible), who may attach, the
# demand page to go back to, and what to say.
ATTACH_TO = {
    "demand": (
        _visible_demand,
        "market.manage_demand",
        lambda d: d.pk,
        gettext_lazy("File attached."),
    ),
    "quote": (
        _visible_quote,
        "market.manage_quote",
        lambda q: q.demand_id,
        gettext_lazy("File attached to your quote."),
    ),
}


@login_required
@require_POST
def attach(request, pk, kind):
    """A demand's buyer adds a tech pack or photo; a quote's supplier a drawing or price sheet."""
    find, permission, page, success = ATTACH_TO[kind]
    parent = find(request, pk)
    if not can(request.user, permission, parent):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
    else:
        _run(
            request,
            lambda: services.add_attachment(
                user=request.user, upload=form.cleaned_data["file"], **{kind: parent}
            ),
            str(success),
        )
    return redirect("market:demand_detail", pk=page(parent))


def attachment_download(request, pk):
    """A file, to those the rules allow; 404 to those who may not see what it is attached to."""
    attachment = Attachment.objects.select_related("demand", "quote__demand").filter(pk=pk).first()
    if attachment is None:
        raise Http404
    user = request.user
    if attachment.quote_id is not None:
        parent_visible = selectors.visible_quotes(user).filter(pk=attachment.quote_id).exists()
    else:
        parent_visible = can(user, "market.view_demand", attachment.demand)
    if not parent_visible:
        raise Http404
    if not can(user, "market.download_attachment", attachment):
        raise PermissionDenied
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.content_type,
    )


@login_required
@require_POST
def demand_report(request, pk):
    demand = _visible_demand(request, pk)
    _run(
        request,
        lambda: services.report_post(
            user=request.user, post=demand, reason=request.POST.get("reason", "")
        ),
        _("Thank you: the cluster office will look at this post."),
    )
    return redirect("market:demand_detail", pk=pk)


@login_required
@require_POST
def quote_award(request, pk):
    try:
        quote = selectors.quote_for(request.user, pk)
    except Quote.DoesNotExist:
        raise Http404 from None
    if not can(request.user, "market.manage_demand", quote.demand):
        raise PermissionDenied
    _run(
        request,
        lambda: services.award(user=request.user, quote=quote),
        _("Awarded to %(firm)s.") % {"firm": quote.supplier.name},
    )
    return redirect("market:demand_detail", pk=quote.demand_id)


@login_required
@require_POST
def award_rate(request, pk):
    award = get_object_or_404(Award.objects.select_related("demand", "quote"), pk=pk)
    if not can(request.user, "market.rate", award):
        raise PermissionDenied
    _run(
        request,
        lambda: services.rate(
            user=request.user,
            award=award,
            on_time=request.POST.get("on_time") == "yes",
            quality=int_param(request.POST, "quality"),
            comment=request.POST.get("comment", ""),
        ),
        _("Thank you for rating."),
    )
    return redirect("market:demand_detail", pk=award.demand_id)


@login_required
def offer_new(request):
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if data.get("min_order") is None:
            data["min_order"] = 0
        offer = _save_form(
            form,
            lambda: services.post_offer(
                user=request.user, data=data, enterprise_id=_firm_choice(request)
            ),
        )
        if not form.errors:
            messages.success(request, _("Your spare capacity is posted."))
            return redirect("market:offer_detail", pk=offer.pk)
    if not firms_to_post_for(request.user):  # the form posts for one of these
        raise PermissionDenied
    return render(request, "market/offer_form.html", {"form": form})


def offer_detail(request, pk):
    try:
        offer = selectors.offer_for(request.user, pk)
    except CapacityOffer.DoesNotExist:
        raise Http404(_("No capacity offer has id %(id)d.") % {"id": pk}) from None
    manage = can(request.user, "market.manage_offer", offer)
    context = {"offer": offer, "manage": manage}
    if manage:
        context["matches"] = matching.matches_for_offer(offer, request.user, limit=30)
    return render(request, "market/offer_detail.html", context)


@login_required
def mine(request):
    """For you: demands fitting your firms' capacity, your posts, searches and notifications."""
    user = request.user
    context = {
        "feed": selectors.supplier_feed(user, limit=30),
        "demands": selectors.my_firm_demands(user)[:50],
        "offers": selectors.my_firm_offers(user)[:50],
        "searches": user.market_searches.all(),
        "notifications": user.market_notifications.all()[:30],
    }
    response = render(request, "market/mine.html", context)
    services.mark_read(user=user)
    return response


@login_required
def reports(request):
    """Reports on posts of firms in the clusters this person's office keeps."""
    if not can(request.user, "market.view_reports"):
        raise PermissionDenied
    open_reports = [
        r
        for r in Report.objects.filter(status=Report.Status.OPEN).select_related(
            "demand__buyer", "offer__supplier"
        )[:200]
        if can(request.user, "market.moderate", r.post)
    ]
    return render(request, "market/reports.html", {"reports": open_reports})


@login_required
@require_POST
def report_decide(request, pk):
    report = get_object_or_404(Report.objects.select_related("demand", "offer"), pk=pk)
    if not can(request.user, "market.moderate", report.post):
        raise PermissionDenied
    hide = request.POST.get("decision") == "hide"
    _run(
        request,
        lambda: services.decide_report(user=request.user, report=report, hide=hide),
        _("The post is hidden.") if hide else _("The report is dismissed."),
    )
    return redirect("market:reports")
