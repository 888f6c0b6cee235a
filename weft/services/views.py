"""Pages: the public catalogue, orders, vouchers, a provider's services and an issuer's
programme dashboard. Thin: reads from selectors, writes through orders.py / vouchers.py /
services.py, permissions through can(); a refusal is shown as a message and changes nothing."""

import datetime
from decimal import Decimal, InvalidOperation
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Avg, Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from weft.accounts.models import Organisation
from weft.accounts.permissions import actor_for, can, own_orgs_where, self_dealing
from weft.core.params import SEARCH_MAX_LENGTH, id_param, int_param
from weft.core.redirects import safe_next

from . import orders, selectors, services, signals_review, vouchers
from .errors import Refused
from .models import (
    Category,
    Service,
    ServiceOrder,
    Settlement,
    VoucherApplication,
    VoucherProgramme,
)


def _refusals(view):
    """Turn a refusal into a message on the page the user came from; nothing was written."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except Refused as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(safe_next(request, "/", referer=True))

    return wrapped


def _posted(queryset, request, field: str):
    """The row whose id the form posted as `field`, or None when it names none (see id_param)."""
    return queryset.filter(pk=id_param(request.POST, field)).first()


def _decimal(value):
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise Refused(
            422, "invalid_amount", _("Amounts are in yuan to the fen (two decimal places).")
        ) from None


# --- catalogue ---------------------------------------------------------------------------------


def catalogue(request):
    category = request.GET.get("category", "")
    if category not in dict(Category.choices):
        category = ""
    q = request.GET.get("q", "")[:SEARCH_MAX_LENGTH]
    items = selectors.catalogue(q=q, category=category).annotate(
        rating=Avg("orders__rating"), reviews=Count("orders__rating")
    )
    context = {"services": items, "categories": Category.choices, "category": category, "q": q}
    template = "services/_catalogue_results.html" if request.htmx else "services/catalogue.html"
    return render(request, template, context)


def service_detail(request, pk):
    service = get_object_or_404(Service.objects.select_related("provider"), pk=pk, is_active=True)
    reviews = service.orders.exclude(rating=None).order_by("-updated_at")[:20]
    firms, own = selectors.firms_to_order_for(request.user, service.provider_id)
    return render(
        request,
        "services/service_detail.html",
        {"service": service, "reviews": reviews, "firms": firms, "own_firms": own},
    )


@login_required
@require_POST
@_refusals
def request_service(request, pk):
    service = get_object_or_404(Service, pk=pk)
    firm = _posted(Organisation.objects, request, "firm")
    if firm is None:
        raise Refused(422, "invalid_data", _("Choose the firm you order for."))
    order = orders.request_service(
        user=request.user, service=service, firm=firm, note=request.POST.get("note", "")[:2000]
    )
    messages.success(request, _("Your request was sent to the provider."))
    return redirect("services:order_detail", pk=order.pk)


# --- orders ------------------------------------------------------------------------------------


@login_required
def order_list(request):
    items = selectors.orders_for(request.user).prefetch_related("redemptions")
    providers = own_orgs_where(request.user, "services.claim_settlement")
    claimable = []
    for provider in providers:
        earned, _held = selectors.unclaimed_subsidies(provider)
        for programme in VoucherProgramme.objects.filter(pk__in=earned.values("programme_id")):
            claimable.append((provider, programme))
    settlements = selectors.settlements_for(request.user).filter(provider__in=providers)
    return render(
        request,
        "services/order_list.html",
        {"orders": items, "claimable": claimable, "settlements": settlements},
    )


@login_required
def order_detail(request, pk):
    order = selectors.orders_for(request.user).filter(pk=pk).first()
    if order is None:
        raise Http404
    redemption = vouchers.live_redemption(order)
    usable = []
    if (
        order.status == ServiceOrder.Status.ACCEPTED
        and redemption is None
        and can(request.user, "services.pay_with_voucher", order)
    ):
        today = datetime.date.today()
        usable = [
            v
            for v in selectors.vouchers_for(request.user).filter(
                firm=order.firm, status="active", expires_on__gte=today
            )
            if selectors.voucher_balance(v) > 0
        ]
        for v in usable:
            v.balance = selectors.voucher_balance(v)
    return render(
        request,
        "services/order_detail.html",
        {
            "order": order,
            "steps": orders.available(request.user, order),
            "redemption": redemption,
            "firm_pays": (order.quote_amount - redemption.subsidy) if redemption else None,
            "usable_vouchers": usable,
            "can_review": order.status == "confirmed"
            and order.rating is None
            and can(request.user, "services.review_order", order),
            "events": order.events.select_related("actor"),
            "self_dealing": self_dealing(order),
        },
    )


@login_required
@require_POST
@_refusals
def order_step(request, pk, step):
    data = {"note": request.POST.get("note", "")[:2000]}
    if step == "quote":
        data["amount"] = _decimal(request.POST.get("amount", ""))
    if step == "resolve":
        data["outcome"] = request.POST.get("outcome")
    if step == "deliver" and request.FILES.get("file"):
        data["file"] = request.FILES["file"]
    orders.transition(user=request.user, order_id=pk, name=step, **data)
    messages.success(request, _("Done: %(step)s.") % {"step": orders.TRANSITIONS[step].label})
    return redirect("services:order_detail", pk=pk)


@login_required
@require_POST
@_refusals
def order_review(request, pk):
    orders.review(
        user=request.user,
        order_id=pk,
        rating=request.POST.get("rating"),
        text=request.POST.get("text", ""),
    )
    messages.success(request, _("Thank you for your review."))
    return redirect("services:order_detail", pk=pk)


@login_required
@require_POST
@_refusals
def order_pay_with_voucher(request, pk):
    voucher_id = id_param(request.POST, "voucher")
    if voucher_id is None:
        raise Refused(422, "invalid_data", _("Choose a voucher."))
    data, _replayed = vouchers.redeem(
        user=request.user,
        voucher_id=voucher_id,
        order_id=pk,
        idempotency_key=request.POST.get("idempotency_key") or None,
    )
    messages.success(
        request,
        _("The voucher pays ¥%(s)s; your firm pays ¥%(f)s.")
        % {"s": data["subsidy"], "f": data["firm_pays"]},
    )
    return redirect("services:order_detail", pk=pk)


@login_required
@require_POST
@_refusals
def claim(request):
    provider_id = id_param(request.POST, "provider")
    programme_id = id_param(request.POST, "programme")
    if provider_id is None or programme_id is None:
        raise Refused(422, "invalid_data", _("Choose the programme to claim from."))
    data, _replayed = vouchers.claim_settlement(
        user=request.user,
        provider_id=provider_id,
        programme_id=programme_id,
        idempotency_key=request.POST.get("idempotency_key") or None,
    )
    messages.success(request, _("Settlement of ¥%(a)s claimed.") % {"a": data["amount"]})
    provider = Organisation.objects.get(pk=provider_id)
    programme = VoucherProgramme.objects.get(pk=programme_id)
    _earned, held = selectors.unclaimed_subsidies(provider, programme)
    n = held.count()
    if n:
        messages.warning(
            request,
            ngettext(
                "The subsidy on %(n)d order was not claimed: the firm shares members with your "
                "organisation, and a provider cannot claim subsidies for its own firms' orders.",
                "The subsidies on %(n)d orders were not claimed: those firms share members with "
                "your organisation, and a provider cannot claim subsidies for its own firms' "
                "orders.",
                n,
            )
            % {"n": n},
        )
    return redirect("services:order_list")


# --- vouchers ----------------------------------------------------------------------------------


@login_required
def voucher_list(request):
    # The firm side of vouchers: every firm the user belongs to (an issuer's are on its dashboard).
    firms = Organisation.objects.filter(
        pk__in=actor_for(request.user).org_ids(kind=Organisation.Kind.ENTERPRISE)
    )
    items = list(selectors.vouchers_for(request.user).filter(firm__in=firms))
    for v in items:
        v.balance = selectors.voucher_balance(v)
    today = datetime.date.today()
    open_programmes = VoucherProgramme.objects.filter(apply_from__lte=today, apply_until__gte=today)
    return render(
        request,
        "services/voucher_list.html",
        {
            "vouchers": items,
            "applications": selectors.applications_for(request.user).filter(firm__in=firms),
            "programmes": open_programmes,
            "firms": [f for f in firms if can(request.user, "services.apply_voucher", f)],
        },
    )


@login_required
@require_POST
@_refusals
def voucher_apply(request):
    programme = _posted(VoucherProgramme.objects, request, "programme")
    firm = _posted(Organisation.objects, request, "firm")
    if programme is None or firm is None:
        raise Refused(422, "invalid_data", _("Choose a programme and your firm."))
    revenue = request.POST.get("declared_revenue", "").strip()
    vouchers.apply(
        user=request.user,
        programme=programme,
        firm=firm,
        amount=_decimal(request.POST.get("amount", "")),
        declared_revenue=_decimal(revenue) if revenue else None,
        note=request.POST.get("note", "")[:2000],
    )
    messages.success(request, _("Your application was sent."))
    return redirect("services:voucher_list")


# --- provider's services -----------------------------------------------------------------------

FIELDS = (
    "category",
    "title_zh",
    "title_en",
    "description",
    "price_unit",
    "area_served",
    "cnas_number",
    "qualifications",
)


@login_required
def my_services(request):
    providers = own_orgs_where(request.user, "services.offer_services")
    if not providers:
        raise PermissionDenied
    items = Service.objects.filter(provider__in=providers).order_by(
        "provider", "category", "title_zh"
    )
    return render(
        request,
        "services/my_services.html",
        {"services": items, "providers": providers, "categories": Category.choices},
    )


@login_required
@require_POST
@_refusals
def service_add(request):
    provider = _posted(Organisation.objects, request, "provider")
    if provider is None:
        raise PermissionDenied
    data = {f: request.POST.get(f, "").strip() for f in FIELDS}
    price = request.POST.get("price", "").strip()
    data["price"] = _decimal(price) if price else None
    data["turnaround_days"] = int_param(request.POST, "turnaround_days")
    service = services.create_service(user=request.user, provider=provider, data=data)
    messages.success(
        request, _("“%(title)s” is listed in the catalogue.") % {"title": service.title_zh}
    )
    return redirect("services:my_services")


# --- issuer's programmes ----------------------------------------------------------------------


@login_required
def programme_list(request):
    items = selectors.programmes_managed(request.user)
    if not items.exists() and not can(request.user, "audit.view"):
        raise PermissionDenied
    rows = [(p, selectors.dashboard(p)) for p in items]
    return render(request, "services/programme_list.html", {"rows": rows})


@login_required
def programme_dashboard(request, pk):
    programme = get_object_or_404(VoucherProgramme.objects.select_related("issuer"), pk=pk)
    if not can(request.user, "services.view_programme_books", programme):
        raise PermissionDenied
    figures = selectors.dashboard(programme)
    chart = {
        key: {"labels": list(figures[key]), "values": [float(v) for v in figures[key].values()]}
        for key in ("by_category", "by_provider", "by_cluster", "by_month")
    }
    return render(
        request,
        "services/programme_dashboard.html",
        {
            "programme": programme,
            "f": figures,
            "chart": chart,
            "may_manage": can(request.user, "services.manage_programme", programme),
            "flags": signals_review.review(programme),
            "pending": programme.applications.filter(
                status=VoucherApplication.Status.PENDING
            ).select_related("firm"),
            "settlements": programme.settlements.select_related("provider").exclude(
                status=Settlement.Status.REJECTED
            ),
            "statement_url": reverse(
                "api:programme_statement", kwargs={"programme_id": programme.pk}
            ),
        },
    )


@login_required
@require_POST
@_refusals
def application_decide(request, pk):
    application = get_object_or_404(VoucherApplication, pk=pk)
    approve = request.POST.get("decision") == "approve"
    vouchers.decide(
        user=request.user,
        application=application,
        approve=approve,
        note=request.POST.get("note", ""),
    )
    messages.success(request, _("Voucher granted.") if approve else _("Application rejected."))
    return redirect("services:programme_dashboard", pk=application.programme_id)


@login_required
@require_POST
@_refusals
def settlement_decide(request, pk):
    settlement = get_object_or_404(Settlement, pk=pk)
    action = request.POST.get("action", "")
    vouchers.decide_settlement(
        user=request.user,
        settlement=settlement,
        action=action,
        reference=request.POST.get("reference", ""),
    )
    messages.success(request, _("Settlement updated."))
    return redirect("services:programme_dashboard", pk=settlement.programme_id)
