from django_tasks import task


@task()
def send_permit_reminders() -> int:
    """Daily: remind firms of discharge permits 90, 30 and 0 days before they expire."""
    from .services import send_permit_reminders as send

    return send()
