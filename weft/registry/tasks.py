"""Background work of the registry."""

from django_tasks import task

from . import index_services
from .models import DirectoryIndexSnapshot


@task()
def rebuild_directory_index(replacing: int | None = None) -> dict:
    """Asked for by the directory when too many firms changed since snapshot `replacing` was
    built; also worth scheduling (README, "Jobs to schedule"). Every web process asks once, so
    a request whose snapshot was replaced meanwhile is skipped."""
    if replacing is not None and DirectoryIndexSnapshot.objects.filter(id__gt=replacing).exists():
        return {"skipped": "a newer snapshot was built meanwhile"}
    snapshot = index_services.build_directory_index()
    return {"firms": snapshot.firms, "seconds": snapshot.seconds}
