"""Partner clusters: clusters whose firms met at a docking event (weft/chain).

The rule: clusters A and B (A ≠ B) are partners when, at a docking event, a firm approved in A
met a firm approved in B, that is a scheduled one-to-one meeting between them
- was accepted and its event has begun (the event brought the two firms to one table), or
- has a recorded outcome with contact made (a sample ordered or a deal signed imply contact).
Declined meetings never count. The event named in the reasons is the latest such event.

The whole graph is one statement over the docking meetings (thousands at most), kept per
process for GRAPH_SECONDS and dropped at once when this process saves or deletes a meeting, an
outcome, an event or a cluster membership (signals.py): partnerships change when docking events
happen, a few times a year, so another process may see a new one up to a minute late. Matching
reads the buyer's partners from it without a query.
"""

import datetime
import threading
import time
from dataclasses import dataclass

from django.db import connection

GRAPH_SECONDS = 60.0
_graph: dict = {"key": None, "at": 0.0, "edges": {}}
_lock = threading.Lock()


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


def graph(today: datetime.date) -> dict[int, dict[int, MetAt]]:
    """Every cluster's partners, from this process's copy while it is fresh."""
    now = time.monotonic()
    key = (connection.alias, connection.settings_dict.get("NAME"), today)
    if _graph["key"] != key or now - _graph["at"] > GRAPH_SECONDS:
        with _lock:
            _graph.update(key=key, at=now, edges=partner_edges(None, today))
    return _graph["edges"]


def forget(**_kwargs) -> None:
    """Drop this process's copy (a meeting, outcome, event or membership was written)."""
    _graph["key"] = None


def partner_edges(cluster_ids, today: datetime.date) -> dict[int, dict[int, MetAt]]:
    """For each of `cluster_ids` (None: every cluster): its partner clusters and where they met
    (the latest event)."""
    own = None if cluster_ids is None else set(cluster_ids)
    if own is not None and not own:
        return {}
    from weft.chain.models import Meeting
    from weft.registry.models import ClusterMembership

    # Two plain statements, each led by an index: the meetings that count (few), then their
    # firms' clusters. (One join of both let the planner scan every membership.)
    sql = (
        "SELECT r1.enterprise_id, r2.enterprise_id, e.id, e.title_zh, e.title_en, e.starts_on"
        " FROM chain_meeting m"
        " JOIN chain_dockingevent e ON e.id = m.event_id"
        " JOIN chain_registration r1 ON r1.id = m.first_id"
        " JOIN chain_registration r2 ON r2.id = m.second_id"
        " LEFT JOIN chain_meetingoutcome o ON o.meeting_id = m.id"
        " WHERE m.status <> %s"
        " AND ((m.status = %s AND e.starts_on <= %s) OR o.contact_made = %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Meeting.Status.DECLINED, Meeting.Status.ACCEPTED, today, True])
        meetings = cursor.fetchall()
        firms = sorted({f for row in meetings for f in row[:2]})
        clusters: dict[int, list[int]] = {}
        for chunk in range(0, len(firms), 500):
            ids = firms[chunk : chunk + 500]
            cursor.execute(
                "SELECT enterprise_id, cluster_id FROM registry_clustermembership"  # noqa: S608
                f" WHERE status = %s AND enterprise_id IN ({', '.join(['%s'] * len(ids))})",
                [ClusterMembership.Status.APPROVED, *ids],
            )
            for firm, cluster in cursor.fetchall():
                clusters.setdefault(firm, []).append(cluster)
    edges: dict[int, dict[int, MetAt]] = {}
    for first, second, event_id, zh, en, starts in meetings:
        met = MetAt(event_id, zh, en or "", _day(starts))
        for x, y in ((first, second), (second, first)):
            for mine in clusters.get(x, ()):
                if own is not None and mine not in own:
                    continue
                for theirs in clusters.get(y, ()):
                    if theirs == mine:
                        continue
                    known = edges.setdefault(mine, {}).get(theirs)
                    if known is None or (met.starts_on, met.event_id) > (
                        known.starts_on,
                        known.event_id,
                    ):
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
