"""The national annual report as a page and as a PDF (a cluster's report is in views.py)."""

from django.http import HttpResponse
from django.shortcuts import render

from weft.core.params import year_param

from . import national_report, selectors
from .models import Aggregate, PeriodKind


def _year(request) -> int | None:
    return year_param(request.GET, selectors.latest_year())


def _years() -> list[int]:
    return list(
        Aggregate.objects.filter(level=Aggregate.Level.NATION, period__kind=PeriodKind.YEAR)
        .values_list("period__year", flat=True)
        .distinct()
        .order_by("-period__year")
    )


def national_report_page(request):
    context = national_report.context(request, _year(request))
    return render(request, "stats/national_report.html", context | {"years": _years()})


def national_report_pdf(request):
    year = _year(request)
    response = HttpResponse(national_report.pdf(request, year), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="weft-national-report-{year or "none"}.pdf"'
    )
    return response
