"""Background work of the registry."""

from django_tasks import task

from . import index_services


@task()
def rebuild_directory_index() -> dict:
    """Asked for by the directory when too many firms changed since the index was built; also
    worth scheduling (README, "Jobs to schedule")."""
    snapshot = index_services.build_directory_index()
    return {"firms": snapshot.firms, "seconds": snapshot.seconds}
