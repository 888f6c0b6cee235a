"""Loads the fixed vocabularies (chain stages, GB/T 4754 codes, certifications) and the real clusters."""

import json
from pathlib import Path

from django.db import transaction

DATA = Path(__file__).parent / "data"


def _load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@transaction.atomic
def load_taxonomy(apps=None) -> None:
    """`apps` is the migration's app registry, so this works at any point of the schema's history."""
    if apps is None:
        from django.apps import apps
    ChainStage = apps.get_model("registry", "ChainStage")  # noqa: N806
    IndustryCode = apps.get_model("registry", "IndustryCode")  # noqa: N806
    Certification = apps.get_model("registry", "Certification")  # noqa: N806

    for row in _load("chain_stages.json"):
        ChainStage.objects.update_or_create(
            code=row["code"],
            defaults={
                k: row.get(k) or ""
                for k in ("name_zh", "name_en", "description_zh", "description_en")
            }
            | {"order": row["order"], "capacity_unit": row.get("capacity_unit") or ""},
        )
    codes = {}
    for row in _load("industry_codes.json"):
        obj, _ = IndustryCode.objects.update_or_create(
            code=row["code"],
            defaults={
                "level": row["level"],
                "parent": codes.get(row["parent"]),
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
            },
        )
        codes[obj.code] = obj
    for row in _load("certifications.json"):
        Certification.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_en": row["name"],
                "name_zh": row["name_zh"],
                "issuer": row.get("issuer", ""),
                "area": row.get("area", ""),
            },
        )


def stage_data() -> list[dict]:
    return _load("chain_stages.json")


def cluster_data() -> list[dict]:
    return _load("clusters.json")


@transaction.atomic
def load_clusters() -> None:
    from .models import ChainStage, Cluster

    stages = {s.code: s for s in ChainStage.objects.all()}
    if len(stages) < len(stage_data()):
        # The data migration's rows are gone after a flush (transactional tests): load them again.
        load_taxonomy()
        stages = {s.code: s for s in ChainStage.objects.all()}
    for row in cluster_data():
        cluster, _ = Cluster.objects.update_or_create(
            slug=row["slug"],
            defaults={
                k: row[k]
                for k in (
                    "name_zh",
                    "name_en",
                    "place_zh",
                    "province",
                    "prefecture",
                    "county",
                    "town",
                    "adcode",
                    "latitude",
                    "longitude",
                    "specialty_zh",
                    "specialty_en",
                    "primary_stages",
                    "industry_divisions",
                    "is_pilot",
                    "pilot_year",
                    "description_zh",
                    "description_en",
                    "size_weight",
                    "source_note",
                )
            },
        )
        cluster.stages.set([stages[c] for c in row["stages"]])
