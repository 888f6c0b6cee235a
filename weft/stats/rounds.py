"""Reads about reporting rounds: which rounds a user sees, who reported, the figures reported."""

from django.db.models import Max, Q

from weft.accounts.models import Organisation
from weft.accounts.permissions import actor_for, can, stats_firm_figures_q

from .models import ReportingRound, Submission, Value, ValueRevision


def visible_rounds(user):
    actor = actor_for(user)
    qs = ReportingRound.objects.select_related("cluster", "period")
    if actor.is_operator:
        return qs
    firm_orgs = actor.org_ids(kind=Organisation.Kind.ENTERPRISE)
    return qs.filter(
        Q(cluster_id__in=actor.office_cluster_ids()) | Q(firms__organisation__in=firm_orgs)
    ).distinct()


def own_firms(user, rnd: ReportingRound):
    """The round's firms the user speaks for (usually one)."""
    actor = actor_for(user)
    return rnd.firms.filter(organisation__in=actor.org_ids(kind=Organisation.Kind.ENTERPRISE))


def round_summary(rnd: ReportingRound, user) -> dict:
    asked = rnd.firms.count()
    reported = Submission.objects.filter(round=rnd).count()
    return {
        "id": rnd.pk,
        "title": rnd.title,
        "cluster": rnd.cluster_id,
        "cluster_name": rnd.cluster.name,
        "period": rnd.period.code,
        "period_kind": rnd.period.kind,
        "deadline": rnd.deadline.isoformat(),
        "status": rnd.status,
        "indicators": list(rnd.indicators.values_list("code", flat=True)),
        "firms_asked": asked,
        "firms_reported": reported,
        "my_firms": [
            {
                "id": f.pk,
                "name": f.name_zh,
                "reported": Submission.objects.filter(round=rnd, enterprise=f).exists(),
            }
            for f in own_firms(user, rnd)
        ],
    }


def status_rows(rnd: ReportingRound) -> list[dict]:
    """Every firm asked, whether and when it reported (for the cluster office)."""
    done = {
        s.enterprise_id: s
        for s in Submission.objects.filter(round=rnd).select_related("submitted_by")
    }
    reminded = dict(
        rnd.reminders.values("enterprise_id")
        .annotate(last=Max("sent_on"))
        .values_list("enterprise_id", "last")
    )
    rows = []
    for firm in rnd.firms.order_by("name_sort", "pk"):
        sub = done.get(firm.pk)
        rows.append(
            {
                "id": firm.pk,
                "name": firm.name_zh,
                "reported": sub is not None,
                "submitted_at": sub.submitted_at.isoformat() if sub else None,
                "via": sub.via if sub else None,
                "last_reminded": reminded[firm.pk].isoformat() if firm.pk in reminded else None,
            }
        )
    return rows


def round_figures(rnd: ReportingRound, user) -> list[dict]:
    """The figures of the round's period for its firms, as far as the user may see them."""
    if not (can(user, "stats.view_cluster_private", rnd.cluster) or own_firms(user, rnd).exists()):
        return []
    rows = (
        Value.objects.filter(stats_firm_figures_q(user))
        .filter(
            period=rnd.period, enterprise__in=rnd.firms.all(), indicator__in=rnd.indicators.all()
        )
        .values_list("enterprise_id", "enterprise__name_zh", "indicator__code", "value", "revision")
    )
    out: dict[int, dict] = {}
    for eid, name, code, value, revision in rows:
        out.setdefault(eid, {"enterprise_id": eid, "name": name, "figures": {}})["figures"][
            code
        ] = {
            "value": value,
            "revision": revision,
        }
    return list(out.values())


def revision_history(rnd: ReportingRound, user, limit: int = 200) -> list:
    """Corrected figures of the round (every revision of a value revised at least once), as far as
    the user may see them: who changed what, when and why."""
    return list(
        ValueRevision.objects.filter(stats_firm_figures_q(user, "value__enterprise_id"))
        .filter(
            value__period=rnd.period,
            value__enterprise__in=rnd.firms.all(),
            value__indicator__in=rnd.indicators.all(),
            value__revision__gt=1,
        )
        .select_related("value__enterprise", "value__indicator", "changed_by")
        .order_by("value__enterprise__name_sort", "value__indicator__order", "revision")[:limit]
    )
