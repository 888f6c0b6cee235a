from django.http import JsonResponse
from django.utils.translation import gettext as _


def api_not_found(request):
    return JsonResponse(
        {
            "code": "not_found",
            "message": _("No such API endpoint."),
            "details": {"path": request.path},
        },
        status=404,
    )


def set_language(request):
    """Django's language switch, which also remembers the choice on a signed-in user's profile."""
    from django.conf import settings
    from django.views.i18n import set_language as django_set_language

    response = django_set_language(request)
    lang = request.POST.get("language", "")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and lang in dict(settings.LANGUAGES)
        and request.user.language != lang
    ):
        request.user.language = lang
        request.user.save(update_fields=["language"])
    return response


def bad_request(request, exception):
    """The 400 page. A view that raises BadRequest with a message of its own (a year that is no
    number, say) has it shown; other 400s (a suspicious host or header) show no detail."""
    from django.core.exceptions import BadRequest
    from django.shortcuts import render

    message = str(exception) if type(exception) is BadRequest else ""
    return render(request, "400.html", {"message": message}, status=400)
