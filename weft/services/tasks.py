from django_tasks import task

from .vouchers import expire_vouchers


@task()
def expire_vouchers_task() -> int:
    """Background form of `manage.py expire_vouchers`, for schedulers that enqueue tasks."""
    return expire_vouchers()
