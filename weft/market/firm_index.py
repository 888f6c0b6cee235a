"""Firms without an open offer, ranked in memory: one vectorised pass per demand.

At national scale a stage and category holds tens of thousands of firms; scoring them row by row
in SQL took longer than the whole 50 ms budget (SQLite evaluates the expression row by row). Each
process keeps a category's columns as NumPy arrays and reloads them when the category's rows
change: rows are only written by `services.refresh_capabilities`, which bumps the category's
CapabilityVersion, so one key look-up per demand tells whether the arrays are stale. (Firms
deleted meanwhile drop out at the exact check, which reads their rows afresh.)

The pass gives an upper bound of each firm's score (exact while cluster and certification ids are
below 64, the bit each one sets; the cluster part takes the own, partner or province value, in
that order, so a coinciding bit can only raise it); the best few are then checked exactly in
Python (tokens, the open-offer exclusion, `matching.firm_parts`) until the `limit`-th exact score
is no lower than the next bound, so the result is the exact top `limit`.
"""

import threading
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from django.db import connection

from .models import CapacityOffer, Invitation, SupplierCapability, Visibility


class CapRow(NamedTuple):
    """The columns of a SupplierCapability that scoring and reasons read."""

    enterprise_id: int
    geo_x: float | None
    geo_y: float | None
    geo_z: float | None
    history_score: float
    green_score: float
    province_code: str
    cluster_tokens: str
    cert_tokens: str


@dataclass
class _Category:
    """Arrays only: a national category is tens of thousands of firms in every process."""

    stamp: int
    ids: np.ndarray
    xyz: np.ndarray
    located: np.ndarray
    static: np.ndarray  # weighted history + green + the neutral price and lead terms
    province: np.ndarray
    cluster_bits: np.ndarray
    cert_bits: np.ndarray


_cache: dict[tuple[str, str], _Category] = {}
_lock = threading.Lock()
_cert_ids: dict[str, int] = {}


def _bit(n: int) -> int:
    return 1 << (n % 64)


def cert_bits(codes) -> int:
    if not _cert_ids:
        from weft.registry.models import Certification

        _cert_ids.update(Certification.objects.values_list("code", "id"))
    bits = 0
    for code in codes:
        bits |= _bit(_cert_ids.get(code, 0))
    return bits


def cluster_bits(tokens) -> int:
    bits = 0
    for token in tokens:
        token = token.strip()
        if token.startswith("c:"):
            bits |= _bit(int(token[2:]))
    return bits


def _stamp(stage: str, category: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT version FROM market_capabilityversion WHERE stage = %s AND category = %s",
            [stage, category],
        )
        row = cursor.fetchone()
    return row[0] if row else 0


def _load(stage: str, category: str, stamp: int) -> _Category:
    from .matching import NEUTRAL, WEIGHTS

    rows = list(
        SupplierCapability.objects.filter(stage=stage, category=category)
        .order_by("enterprise_id")
        .values_list(*CapRow._fields)
    )
    n = len(rows)
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(CapRow._fields)
    ids, gx, gy, gz, history, green, province, clusters, certs = cols
    located = np.array([x is not None for x in gx], dtype=bool)
    xyz = np.array(
        [(x or 0.0, y or 0.0, z or 0.0) for x, y, z in zip(gx, gy, gz, strict=True)], dtype=float
    ).reshape(n, 3)
    static = (
        np.array(history, dtype=float) * WEIGHTS["history"]
        + np.array(green, dtype=float) * WEIGHTS["green"]
        + NEUTRAL * (WEIGHTS["price"] + WEIGHTS["lead"])
    )
    return _Category(
        stamp=stamp,
        ids=np.array(ids, dtype=np.int64),
        xyz=xyz,
        located=located,
        static=static,
        province=np.array(province, dtype="<U2"),
        cluster_bits=np.array([cluster_bits(t.split()) for t in clusters], dtype=np.uint64),
        cert_bits=np.array([cert_bits(t.split()) for t in certs], dtype=np.uint64),
    )


def warm() -> int:
    """Load every category now (at start-up, or before measuring); returns the rows loaded."""
    pairs = SupplierCapability.objects.values_list("stage", "category").distinct()
    return sum(len(category(stage, cat).ids) for stage, cat in pairs)


def _rows(stage: str, category: str, ids: list[int]) -> dict[int, CapRow]:
    if not ids:
        return {}
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(CapRow._fields)} FROM market_suppliercapability"  # noqa: S608
            f" WHERE stage = %s AND category = %s AND enterprise_id IN ({marks})",
            [stage, category, *ids],
        )
        return {r[0]: CapRow(*r) for r in cursor.fetchall()}


def category(stage: str, category: str) -> _Category:
    """The category's arrays, reloaded if its rows changed since they were read."""
    stamp = _stamp(stage, category)
    cached = _cache.get((stage, category))
    if cached is None or cached.stamp != stamp:
        with _lock:
            cached = _load(stage, category, stamp)
            _cache[(stage, category)] = cached
    return cached


def _offering(stage: str, ids: list[int]) -> set[int]:
    """Those of the firms that have an open offer in the stage (ranked as offers instead)."""
    if not ids:
        return set()
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT supplier_id FROM market_capacityoffer"  # noqa: S608
            f" WHERE status = %s AND stage = %s AND supplier_id IN ({marks})",
            [CapacityOffer.Status.OPEN, stage, *ids],
        )
        return {r[0] for r in cursor.fetchall()}


def top_firms(demand, ctx, limit: int) -> list[tuple[float, CapRow, dict]]:
    """The best `limit` firms for the demand: (score, row, parts), best first, ties by id."""
    from .matching import (
        CLUSTER_OWN,
        CLUSTER_PARTNER,
        CLUSTER_PROVINCE,
        COS_FAR,
        NEUTRAL,
        WEIGHTS,
        firm_parts,
        total,
    )

    cat = category(demand.stage, demand.category)
    if not len(cat.ids):
        return []
    w = WEIGHTS
    mask = cat.ids != demand.buyer_id
    need = np.uint64(cert_bits(ctx.certs))
    if need:
        mask &= (cat.cert_bits & need) == need
    own = np.uint64(cluster_bits(ctx.cluster_tokens))
    if demand.visibility == Visibility.CLUSTER:
        mask &= (cat.cluster_bits & own) != 0
    elif demand.visibility == Visibility.INVITED:
        invited = list(
            Invitation.objects.filter(demand=demand).values_list("enterprise_id", flat=True)
        )
        mask &= np.isin(cat.ids, np.array(invited, dtype=np.int64))
    if ctx.vec:
        dot = cat.xyz @ np.array(ctx.vec)
        distance = np.where(cat.located, np.clip((dot - COS_FAR) / (1 - COS_FAR), 0, 1), NEUTRAL)
    else:
        distance = NEUTRAL
    # Bits of different clusters may coincide (ids mod 64): a firm may then get the part of its
    # look-alike's cluster, never less than its own. The bound stays a bound.
    partner = np.uint64(cluster_bits(ctx.partner_tokens))
    cluster = np.where(
        (cat.cluster_bits & own) != 0,
        CLUSTER_OWN,
        np.where(
            (cat.cluster_bits & partner) != 0,
            CLUSTER_PARTNER,
            np.where(
                (cat.province == ctx.province_code) & bool(ctx.province_code), CLUSTER_PROVINCE, 0.0
            ),
        ),
    )
    bound = cat.static + distance * w["distance"] + cluster * w["cluster"]
    bound = np.where(mask, bound, -np.inf)
    order = np.lexsort((cat.ids, -bound))  # best bound first, ties by id like the SQL
    certs = set(ctx.certs)
    found: list[tuple[float, CapRow, dict]] = []
    start, step = 0, 2 * limit + 10
    while start < len(order):
        chunk = [int(i) for i in order[start : start + step] if bound[i] > -np.inf]
        if not chunk:
            break
        firm_ids = [int(cat.ids[i]) for i in chunk]
        offering = _offering(demand.stage, firm_ids)
        rows = _rows(demand.stage, demand.category, [f for f in firm_ids if f not in offering])
        for firm_id in firm_ids:
            row = rows.get(firm_id)  # None: offering, or its rows replaced since they were read
            if row is None or not certs <= set(row.cert_tokens.split()):
                continue
            tokens = row.cluster_tokens
            if demand.visibility == Visibility.CLUSTER and not any(
                t in tokens for t in ctx.cluster_tokens
            ):
                continue
            parts = firm_parts(ctx, row)
            found.append((total(parts), row, parts))
        found.sort(key=lambda t: (-t[0], t[1].enterprise_id))
        del found[limit:]
        start += step
        step *= 2
        # Done once nothing left unchecked could beat the worst score kept.
        if len(found) == limit and (
            start >= len(order) or bound[order[start]] < found[-1][0] - 1e-9
        ):
            break
    return found
