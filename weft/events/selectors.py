"""Reads for the calendar (list, month grid, iCalendar), news and brand pages."""

import calendar as pycalendar
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as IcsEvent

from .models import Event, NewsPost


def events(*, cluster=None, kind: str = "", start=None, end=None):
    qs = Event.objects.select_related("cluster", "organiser")
    if cluster is not None:
        # A cluster's calendar also shows the national events.
        qs = qs.filter(cluster__in=[cluster]) | qs.filter(cluster__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    if start is not None:
        qs = qs.filter(ends_at__gte=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    return qs.order_by("starts_at", "id")


def _aware(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def month_grid(year: int, month: int, *, cluster=None, kind: str = "") -> list[list[dict]]:
    """Weeks (Monday first) of days, each with the events that touch it."""
    first = date(year, month, 1)
    weeks = pycalendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    start, end = weeks[0][0], weeks[-1][-1] + timedelta(days=1)
    items = list(events(cluster=cluster, kind=kind, start=_aware(start), end=_aware(end)))
    grid = []
    for week in weeks:
        row = []
        for day in week:
            lo, hi = _aware(day), _aware(day + timedelta(days=1))
            row.append(
                {
                    "date": day,
                    "in_month": day.month == first.month,
                    "events": [e for e in items if e.starts_at < hi and e.ends_at >= lo],
                }
            )
        grid.append(row)
    return grid


def ical(items, *, name: str, base_url: str) -> bytes:
    """An RFC 5545 calendar of the events (UIDs stable across exports, so updates replace)."""
    cal = Calendar()
    cal.add("prodid", "-//Weft//Cluster calendar//ZH")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for event in items:
        ics = IcsEvent()
        ics.add("uid", f"event-{event.pk}@weft")
        ics.add("summary", f"[{event.get_kind_display()}] {event.title}")
        ics.add("dtstart", event.starts_at)
        ics.add("dtend", event.ends_at)
        ics.add("dtstamp", event.created_at)
        if event.place:
            ics.add("location", event.place)
        if event.summary:
            ics.add("description", event.summary)
        ics.add("url", f"{base_url}/events/{event.pk}/")
        ics.add("categories", [event.kind])
        cal.add_component(ics)
    return cal.to_ical()


def news(*, cluster=None):
    qs = NewsPost.objects.select_related("author_org", "cluster")
    if cluster is not None:
        qs = qs.filter(cluster=cluster)
    return qs
