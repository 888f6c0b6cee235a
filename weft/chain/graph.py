"""The default chain graph (what feeds what), loaded by a data migration; the operator edits it
in the admin afterwards. Weights say how much the consumer depends on the input (0–1)."""

# (supplier, consumer, kind, group, weight, note)
DEFAULT_LINKS = [
    ("fiber", "spinning", "material", "fibre", "1.00", "staple fibre to yarn"),
    ("fiber", "weaving", "material", "yarn", "1.00", "filament woven directly"),
    ("spinning", "weaving", "material", "yarn", "1.00", ""),
    ("fiber", "knitting", "material", "yarn", "1.00", "filament knitted directly"),
    ("spinning", "knitting", "material", "yarn", "1.00", ""),
    ("weaving", "dyeing_finishing", "material", "greige", "1.00", "greige cloth to finish"),
    ("knitting", "dyeing_finishing", "material", "greige", "1.00", ""),
    ("weaving", "printing", "material", "greige", "0.80", ""),
    ("knitting", "printing", "material", "greige", "0.80", ""),
    ("weaving", "garment_making", "material", "fabric", "1.00", "woven fabric"),
    ("knitting", "garment_making", "material", "fabric", "1.00", "knitted fabric"),
    ("dyeing_finishing", "garment_making", "material", "", "0.80", "finished fabric"),
    ("printing", "garment_making", "material", "", "0.30", ""),
    ("accessories", "garment_making", "material", "", "0.60", "zips, buttons, labels, linings"),
    ("weaving", "home_textiles", "material", "fabric", "1.00", ""),
    ("knitting", "home_textiles", "material", "fabric", "1.00", ""),
    ("dyeing_finishing", "home_textiles", "material", "", "0.80", ""),
    ("printing", "home_textiles", "material", "", "0.50", ""),
    ("accessories", "home_textiles", "material", "", "0.30", ""),
    ("textile_machinery", "spinning", "equipment", "", "0.20", ""),
    ("textile_machinery", "weaving", "equipment", "", "0.20", ""),
    ("textile_machinery", "knitting", "equipment", "", "0.20", ""),
    ("design", "garment_making", "service", "", "0.60", ""),
    ("design", "home_textiles", "service", "", "0.40", ""),
    ("design", "knitting", "service", "", "0.30", "knitwear is designed as it is knitted"),
    ("brand", "garment_making", "service", "", "0.30", ""),
    ("ecommerce", "garment_making", "service", "", "0.30", ""),
    ("ecommerce", "home_textiles", "service", "", "0.30", ""),
    ("wholesale_market", "garment_making", "service", "", "0.30", ""),
    ("wholesale_market", "home_textiles", "service", "", "0.30", ""),
    ("logistics", "garment_making", "service", "", "0.20", ""),
    ("logistics", "home_textiles", "service", "", "0.20", ""),
]

# Names of link groups, for gaps and explanations.
GROUP_NAMES = {
    "fibre": ("纤维原料", "fibre"),
    "yarn": ("纱线", "yarn"),
    "greige": ("坯布", "greige cloth"),
    "fabric": ("面料", "fabric"),
}


def load_stage_links(apps=None) -> int:
    """Create the default links that are missing (never overwrites the operator's edits)."""
    if apps is None:
        from django.apps import apps
    ChainStage = apps.get_model("registry", "ChainStage")  # noqa: N806
    StageLink = apps.get_model("chain", "StageLink")  # noqa: N806
    stages = dict(ChainStage.objects.values_list("code", "id"))
    made = 0
    for supplier, consumer, kind, group, weight, note in DEFAULT_LINKS:
        if supplier not in stages or consumer not in stages:
            continue
        _, created = StageLink.objects.get_or_create(
            supplier_id=stages[supplier],
            consumer_id=stages[consumer],
            defaults={"kind": kind, "group": group, "weight": weight, "note": note},
        )
        made += created
    return made
