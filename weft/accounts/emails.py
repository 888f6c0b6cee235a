"""Emails to users, rendered in the language they read Weft in."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def send_user_mail(user, template: str, context: dict | None = None) -> None:
    """Send accounts/email/<template>.txt with <template>_subject.txt to `user`.

    The user's saved language wins; otherwise the language of the page they are on.
    """
    if not user.email:
        return
    language = user.language or translation.get_language() or settings.LANGUAGE_CODE
    ctx = {"user": user, **(context or {})}
    with translation.override(language):
        subject = " ".join(render_to_string(f"accounts/email/{template}_subject.txt", ctx).split())
        body = render_to_string(f"accounts/email/{template}.txt", ctx)
    send_mail(subject, body, None, [user.email])
