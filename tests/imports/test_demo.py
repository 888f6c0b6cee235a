import pytest

from weft.imports.demo import load_demo
from weft.imports.models import ImportJob, MatchDecision
from weft.registry.demo.accounts import setup_demo_accounts
from weft.registry.demo.generator import generate

pytestmark = pytest.mark.django_db


def test_demo_import_is_idempotent_and_has_something_to_review(clusters):
    generate(300, seed=3, progress=False)
    setup_demo_accounts()
    first = load_demo()
    job = ImportJob.objects.get()
    assert job.status == "done" and job.created == 2 and job.rejected == 2, first
    decisions = list(
        MatchDecision.objects.filter(job=job).values_list("outcome", "reason", "score", "incoming")
    )
    assert MatchDecision.objects.filter(job=job, outcome="pending").exists(), decisions
    assert "already present" in load_demo()
    assert ImportJob.objects.count() == 1
