"""Partner clusters: clusters whose firms met at a docking event (weft/chain).

The rule: clusters A and B (A ≠ B) are partners when, at a docking event, a firm approved in A
met a firm approved in B, that is a scheduled one-to-one meeting between them
- was accepted and its event has begun (the event brought the two firms to one table), or
- has a recorded outcome with contact made (a sample ordered or a deal signed imply contact).
Declined meetings never count. The event named in the reasons is the latest such event.

Read per match request, in one statement: docking meetings number in the thousands at most, so
the join is cheaper than keeping a derived table in step with memberships and outcomes.
"""

import datetime
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class MetAt:
    """The docking event where a partner cluster's firms met the buyer's cluster's firms."""

    event_id: int
    title_zh: str
    title_en: str
    starts_on: datetime.date

    def title(self, lang: str | None) -> str:
        if (lang or "").startswith("en") and self.title_en:
            return self.title_en
        return self.title_zh


def _day(value) -> datetime.date:
    # SQLite hands dates back as text.
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value))


def partner_edges(cluster_ids, today: datetime.date) -> dict[int, dict[int, MetAt]]:
    """For each of `cluster_ids`: its partner clusters and where they met (the latest event)."""
    own = sorted(set(cluster_ids))
    if not own:
        return {}
    from weft.chain.models import Meeting
    from weft.registry.models import ClusterMembership

    marks = ", ".join(["%s"] * len(own))
    # Both directions of each meeting: the firm in one of `own` may sit first or second.
    sql = (
        "SELECT a.cluster_id, b.cluster_id, e.id, e.title_zh, e.title_en, e.starts_on"  # noqa: S608
        " FROM chain_meeting m"
        " JOIN chain_dockingevent e ON e.id = m.event_id"
        " JOIN chain_registration r1 ON r1.id = m.first_id"
        " JOIN chain_registration r2 ON r2.id = m.second_id"
        " LEFT JOIN chain_meetingoutcome o ON o.meeting_id = m.id"
        " JOIN registry_clustermembership a ON a.status = %s"
        "  AND a.enterprise_id IN (r1.enterprise_id, r2.enterprise_id)"
        " JOIN registry_clustermembership b ON b.status = %s"
        "  AND b.enterprise_id IN (r1.enterprise_id, r2.enterprise_id)"
        "  AND b.enterprise_id <> a.enterprise_id"
        f" WHERE a.cluster_id IN ({marks}) AND b.cluster_id <> a.cluster_id"
        " AND m.status <> %s"
        " AND ((m.status = %s AND e.starts_on <= %s) OR o.contact_made = %s)"
    )
    approved = ClusterMembership.Status.APPROVED
    params = [approved, approved, *own, Meeting.Status.DECLINED, Meeting.Status.ACCEPTED]
    params += [today, True]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    edges: dict[int, dict[int, MetAt]] = {}
    for mine, theirs, event_id, zh, en, starts in rows:
        met = MetAt(event_id, zh, en or "", _day(starts))
        known = edges.setdefault(mine, {}).get(theirs)
        if known is None or (met.starts_on, met.event_id) > (known.starts_on, known.event_id):
            edges[mine][theirs] = met
    return edges


def partners_of(own, edges: dict[int, dict[int, MetAt]]) -> dict[int, MetAt]:
    """The partner clusters of a buyer in clusters `own` (its own clusters left out)."""
    own = set(own)
    out: dict[int, MetAt] = {}
    for cluster in sorted(own):
        for partner, met in edges.get(cluster, {}).items():
            if partner in own:
                continue
            known = out.get(partner)
            if known is None or (met.starts_on, met.event_id) > (known.starts_on, known.event_id):
                out[partner] = met
    return out
