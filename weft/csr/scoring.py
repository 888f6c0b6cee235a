"""Scoring of the self-assessment (the documented rule; tests/csr/test_scoring.py checks it by hand).

Per question: "yes" earns 2 points, "partly" 1, "no" 0; "not applicable" drops the question.
A question that asks for an evidence file, answered "yes" or "partly" without any file, earns
half its points: the claim stands but is unproven.
Area score = 100 × points earned ÷ (2 × applicable questions), one decimal; no applicable
question (or none answered) → no score. Unanswered questions count as "no".
Overall score = the mean of the area scores that exist, one decimal.
Level from the overall score: A ≥ 85, B ≥ 70, C ≥ 50, D below; an area under 40 caps the
level at C, however good the rest (one grave weakness is not averaged away).
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .questionnaire import AREAS

POINTS = {"yes": Decimal(2), "partly": Decimal(1), "no": Decimal(0)}
FULL = Decimal(2)
LEVELS = ((Decimal(85), "A"), (Decimal(70), "B"), (Decimal(50), "C"))
CAP_BELOW = Decimal(40)
ONE_PLACE = Decimal("0.1")


@dataclass(frozen=True)
class AreaScore:
    code: str
    score: Decimal | None
    missing_evidence: tuple[str, ...]  # question codes whose claim lacks its file


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def area_scores(answers: dict[str, str], evidence: set[str]) -> list[AreaScore]:
    """answers: question code → yes/partly/no/na; evidence: codes that have at least one file."""
    out = []
    for area in AREAS:
        earned, possible, missing = Decimal(0), Decimal(0), []
        for q in area.questions:
            answer = answers.get(q.code, "no")
            if answer == "na":
                continue
            points = POINTS.get(answer, Decimal(0))
            if points and q.needs_evidence and q.code not in evidence:
                points /= 2
                missing.append(q.code)
            earned += points
            possible += FULL
        score = _round(100 * earned / possible) if possible else None
        out.append(AreaScore(area.code, score, tuple(missing)))
    return out


def overall(scores: list[AreaScore]) -> Decimal | None:
    values = [s.score for s in scores if s.score is not None]
    if not values:
        return None
    return _round(sum(values) / len(values))


def level(scores: list[AreaScore]) -> str:
    total = overall(scores)
    if total is None:
        return "D"
    result = next((name for bound, name in LEVELS if total >= bound), "D")
    if result in ("A", "B") and any(s.score is not None and s.score < CAP_BELOW for s in scores):
        result = "C"
    return result
