"""The meeting scheduler: never double-books (property-based), and is near the optimum."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp

from weft.chain.scheduler import (
    Candidate,
    schedule_meetings,
    schedule_naive,
    total_score,
    violations,
)


@st.composite
def instances(draw):
    people = draw(st.integers(2, 14))
    n_slots = draw(st.integers(1, 5))
    tables = draw(st.integers(1, 6))
    pairs = draw(
        st.lists(
            st.tuples(st.integers(0, people - 1), st.integers(0, people - 1), st.integers(1, 20)),
            max_size=40,
        )
    )
    candidates = [Candidate(i, a, b, float(w)) for i, (a, b, w) in enumerate(pairs)]
    caps = {p: draw(st.integers(0, 4)) for p in range(people)}
    return candidates, n_slots, tables, caps


@settings(max_examples=300, deadline=None)
@given(instances())
def test_never_double_books_nor_breaks_a_rule(instance):
    candidates, n_slots, tables, caps = instance
    result = schedule_meetings(candidates, n_slots, tables, caps)
    assert violations(candidates, result, n_slots, tables, caps) == []
    naive = schedule_naive(candidates, n_slots, tables, caps)
    assert violations(candidates, naive, n_slots, tables, caps) == []


def test_violations_catches_a_double_booking():
    cands = [Candidate(1, 0, 1, 5.0), Candidate(2, 0, 2, 4.0)]
    assert "participant 0 double-booked in slot 0" in violations(
        cands, {1: (0, 1), 2: (0, 2)}, 2, 2
    )


def exact_optimum(candidates, n_slots, tables, caps) -> float:
    """Integer programme: x[c, s] = 1 when meeting c is held in slot s (HiGHS via SciPy)."""
    n, S = len(candidates), n_slots
    if n == 0:
        return 0.0
    idx = lambda c, s: c * S + s  # noqa: E731
    rows, lower, upper = [], [], []

    def constraint(coeffs, ub):
        row = np.zeros(n * S)
        for k in coeffs:
            row[k] = 1
        rows.append(row)
        lower.append(0)
        upper.append(ub)

    for c in range(n):
        constraint([idx(c, s) for s in range(S)], 1)
    people = {p for cand in candidates for p in (cand.a, cand.b)}
    for p in people:
        mine = [c for c, cand in enumerate(candidates) if p in (cand.a, cand.b)]
        constraint([idx(c, s) for c in mine for s in range(S)], caps.get(p, 10**6))
        for s in range(S):
            constraint([idx(c, s) for c in mine], 1)
    for s in range(S):
        constraint([idx(c, s) for c in range(n)], tables)
    pairs = {}
    for c, cand in enumerate(candidates):
        pairs.setdefault((min(cand.a, cand.b), max(cand.a, cand.b)), []).append(c)
    for members in pairs.values():
        constraint([idx(c, s) for c in members for s in range(S)], 1)
    scores = np.repeat([-cand.score for cand in candidates], S)
    result = milp(
        scores,
        constraints=LinearConstraint(np.array(rows), lower, upper),
        integrality=np.ones(n * S),
        bounds=Bounds(0, 1),
    )
    assert result.success
    return -result.fun


def bipartite_instance(rng, buyers, sellers, density):
    cands, k = [], 0
    for b in range(buyers):
        for s in range(sellers):
            if rng.random() < density:
                cands.append(Candidate(k, b, buyers + s, round(rng.uniform(1, 10), 2)))
                k += 1
    return cands


def test_quality_on_one_slot_matches_linear_sum_assignment():
    """One slot, unlimited tables: the optimum is a maximum-weight bipartite matching."""
    rng = random.Random(7)
    for _ in range(30):
        buyers, sellers = rng.randint(2, 9), rng.randint(2, 9)
        cands = bipartite_instance(rng, buyers, sellers, 0.5)
        weights = np.zeros((buyers, sellers))
        for c in cands:
            weights[c.a, c.b - buyers] = c.score
        rows, cols = linear_sum_assignment(weights, maximize=True)
        optimum = weights[rows, cols].sum()
        got = total_score(cands, schedule_meetings(cands, 1, 100))
        assert got >= 0.95 * optimum - 1e-9, (got, optimum)


@pytest.mark.parametrize("seed", range(25))
def test_quality_at_least_95_percent_of_the_exact_optimum(seed):
    rng = random.Random(seed)
    people = rng.randint(6, 12)
    n_slots, tables = rng.randint(2, 4), rng.randint(2, 5)
    cands = []
    for k in range(rng.randint(10, 28)):
        a, b = rng.sample(range(people), 2)
        cands.append(Candidate(k, a, b, round(rng.uniform(1, 10), 2)))
    caps = {p: rng.randint(1, 3) for p in range(people)}
    optimum = exact_optimum(cands, n_slots, tables, caps)
    result = schedule_meetings(cands, n_slots, tables, caps)
    assert violations(cands, result, n_slots, tables, caps) == []
    assert total_score(cands, result) >= 0.95 * optimum - 1e-9, (
        total_score(cands, result),
        optimum,
    )


@settings(max_examples=400, deadline=None)
@given(instances(), st.data())
def test_fixed_meetings_are_worked_around(instance, data):
    candidates, n_slots, tables, caps = instance
    people = sorted({p for c in candidates for p in (c.a, c.b)}) or [0]
    blocked = set(
        data.draw(st.lists(st.tuples(st.sampled_from(people), st.integers(0, n_slots - 1))))
    )
    taken = {s: 1 for _p, s in blocked} if tables > 1 else {}
    result = schedule_meetings(
        candidates, n_slots, tables, caps, blocked=blocked, tables_taken=taken
    )
    assert violations(candidates, result, n_slots, tables, caps) == []
    by_id = {c.id: c for c in candidates}
    load = {}
    for person, _slot in blocked:
        load[person] = load.get(person, 0) + 1
    for mid, (slot, table) in result.items():
        c = by_id[mid]
        assert (c.a, slot) not in blocked and (c.b, slot) not in blocked
        assert table <= tables - taken.get(slot, 0)
        for person in (c.a, c.b):
            load[person] = load.get(person, 0) + 1
    # Fixed meetings count against the cap too.
    for person, n in load.items():
        if n > caps.get(person, 10**6):
            assert all((person, s) in blocked for s in range(n_slots) if (person, s) in blocked)
            assert not any(person in (by_id[m].a, by_id[m].b) for m in result)


def test_a_fixed_meeting_that_fills_a_cap_is_respected():
    """Found by the property test: person 9's one meeting is fixed, so 9 × 6 must not be added."""
    cands = [Candidate(0, 6, 11, 1.0), Candidate(1, 9, 6, 2.0), Candidate(2, 3, 11, 1.0)]
    caps = {3: 1, 6: 1, 9: 1, 11: 2}
    result = schedule_meetings(cands, 2, 1, caps, blocked={(9, 0)})
    assert violations(cands, result, 2, 1, caps) == []
    assert 1 not in result
