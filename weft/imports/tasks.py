"""Background work: running an import outside the request that uploaded it."""

from django_tasks import task

from . import engine
from .models import ImportJob


@task()
def run_import(job_id: int) -> dict:
    """Run or resume one import; each batch commits on its own, so a rerun continues."""
    job = engine.run(ImportJob.objects.get(pk=job_id))
    return {"status": job.status, "rows_done": job.rows_done}
