"""Plain dicts of chain objects, shared by the API and the pages (one shape, one place)."""

from .models import ChainGap, StageLink, StageProfile
from .partners import FirmMatch, Recommendation


def link_dict(link: StageLink) -> dict:
    return {
        "supplier": link.supplier.code,
        "consumer": link.consumer.code,
        "kind": link.kind,
        "group": link.group_key,
        "weight": float(link.weight),
    }


def profile_dict(p: StageProfile) -> dict:
    return {
        "stage": p.stage.code,
        "name": p.stage.name,
        "level": p.level,
        "firms": p.firms,
        "employees": p.employees,
        "capacity": (
            {"quantity": p.capacity_per_year, "unit": p.capacity_unit, "period": "year"}
            if p.capacity_per_year is not None
            else None
        ),
        "output": (
            {"quantity": p.output_per_year, "unit": "yuan", "period": "year"}
            if p.output_per_year is not None
            else None
        ),
        "share_firms": round(p.share_firms, 5),
        "share_employees": round(p.share_employees, 5),
        "share_capacity": round(p.share_capacity, 5),
        "location_quotient": p.location_quotient,
        "computed_at": p.computed_at,
    }


def gap_dict(g: ChainGap) -> dict:
    return {
        "id": g.id,
        "group": g.group,
        "stages": g.stages,
        "consumer": g.consumer.code if g.consumer_id else None,
        "source": g.source,
        "level": g.level,
        "severity": g.severity,
        "severity_label": g.severity_label,
        "coverage": g.coverage,
        "evidence": g.evidence,
        "evidence_zh": g.evidence_zh,
        "evidence_en": g.evidence_en,
        "quantity": (
            {"quantity": g.quantity, "unit": g.quantity_unit} if g.quantity is not None else None
        ),
        "required_certifications": g.required_certifications,
    }


def recommendation_dict(r: Recommendation, lang_en: bool) -> dict:
    return {
        "cluster": {"id": r.cluster.id, "slug": r.cluster.slug, "name": r.cluster.name},
        "score": r.score,
        "parts": r.parts,
        "km": r.km,
        "firms": r.firms,
        "employees": r.employees,
        "deals": r.deals,
        "reason": r.reason_en if lang_en else r.reason_zh,
    }


def firm_match_dict(m: FirmMatch, lang_en: bool) -> dict:
    return {
        "enterprise": {"id": m.enterprise.id, "name": m.enterprise.name},
        "cluster": {"id": m.cluster.id, "slug": m.cluster.slug, "name": m.cluster.name},
        "km": m.km,
        "score": m.score,
        "parts": m.parts,
        "deals": m.deals,
        "reason": m.reason_en if lang_en else m.reason_zh,
    }
