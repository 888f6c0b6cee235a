"""The documented scoring rule (weft/csr/scoring.py) on hand-computed cases."""

from decimal import Decimal

from weft.csr import scoring
from weft.csr.questionnaire import AREAS, QUESTIONS


def _all(choice):
    return {code: choice for code in QUESTIONS}


def _by_area(scores):
    return {s.code: s.score for s in scores}


def test_the_questionnaire_has_the_twelve_csc9000t_areas():
    assert [a.code for a in AREAS] == [
        "management_system", "labour_contracts", "child_labour", "forced_labour",
        "working_hours", "wages_benefits", "health_safety", "discrimination",
        "harassment_abuse", "freedom_of_association", "environment", "fair_competition",
    ]  # fmt: skip
    assert len(QUESTIONS) == 24


def test_all_yes_with_all_evidence_is_100_and_level_a():
    evidence = {c for c, q in QUESTIONS.items() if q.needs_evidence}
    scores = scoring.area_scores(_all("yes"), evidence)
    assert set(_by_area(scores).values()) == {Decimal("100.0")}
    assert scoring.overall(scores) == Decimal("100.0")
    assert scoring.level(scores) == "A"


def test_a_missing_evidence_file_halves_that_answer():
    # wages_benefits: wb1 and wb2 both ask for a file. wb1 yes with file (2/2), wb2 yes without
    # (2 → 1): (2 + 1) / 4 = 75.0.
    answers = {"wb1": "yes", "wb2": "yes"}
    scores = _by_area(scoring.area_scores(answers, {"wb1"}))
    assert scores["wages_benefits"] == Decimal("75.0")
    # wb2 "partly" without a file: 1 → 0.5; (2 + 0.5) / 4 = 62.5.
    scores = _by_area(scoring.area_scores({"wb1": "yes", "wb2": "partly"}, {"wb1"}))
    assert scores["wages_benefits"] == Decimal("62.5")
    # The same answers with both files: (2 + 1) / 4 = 75.0.
    scores = _by_area(scoring.area_scores({"wb1": "yes", "wb2": "partly"}, {"wb1", "wb2"}))
    assert scores["wages_benefits"] == Decimal("75.0")
    missing = {s.code: s.missing_evidence for s in scoring.area_scores(answers, {"wb1"})}
    assert missing["wages_benefits"] == ("wb2",)


def test_no_file_needed_means_no_penalty_and_na_is_left_out():
    # management_system: ms1 needs a file, ms2 does not. ms2 yes (2/2), ms1 n/a → 100.0.
    scores = _by_area(scoring.area_scores({"ms1": "na", "ms2": "yes"}, set()))
    assert scores["management_system"] == Decimal("100.0")
    # Both n/a → no score; an unanswered area counts as "no" → 0.0.
    scores = _by_area(scoring.area_scores({"ms1": "na", "ms2": "na"}, set()))
    assert scores["management_system"] is None
    assert scores["forced_labour"] == Decimal("0.0")


def test_rounding_overall_and_the_cap():
    # forced_labour: fl1 yes (2), fl2 partly (1), no files needed → 3/4 = 75.0.
    # child_labour: cj1 partly without file (0.5), cj2 no (0) → 0.5/4 = 12.5.
    answers = {**_all("yes"), "fl2": "partly", "cj1": "partly", "cj2": "no"}
    evidence = {c for c, q in QUESTIONS.items() if q.needs_evidence} - {"cj1"}
    scores = scoring.area_scores(answers, evidence)
    by = _by_area(scores)
    assert (by["forced_labour"], by["child_labour"]) == (Decimal("75.0"), Decimal("12.5"))
    # Overall: (10 × 100 + 75 + 12.5) / 12 = 1087.5 / 12 = 90.625 → 90.6.
    assert scoring.overall(scores) == Decimal("90.6")
    # 90.6 would be A, but child_labour at 12.5 < 40 caps the level at C.
    assert scoring.level(scores) == "C"


def test_levels_by_overall():
    def level_for(value):
        return scoring.level([scoring.AreaScore("x", Decimal(value), ())])

    assert [level_for(v) for v in ("85", "84.9", "70", "69.9", "50", "49.9")] == [
        "A", "B", "B", "C", "C", "D",
    ]  # fmt: skip
