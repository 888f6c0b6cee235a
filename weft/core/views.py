from django.http import JsonResponse
from django.utils.translation import gettext as _


def api_not_found(request):
    return JsonResponse(
        {"code": "not_found", "message": _("No such API endpoint."), "details": {"path": request.path}},
        status=404,
    )
