"""Background work: recomputing every cluster's chain profile and gaps."""

from django_tasks import task


@task()
def recompute_chain() -> dict:
    from .services import recompute_profiles

    run = recompute_profiles()
    return {"run": run.pk, "profiles": run.profiles, "gaps": run.gaps, "seconds": run.seconds}
