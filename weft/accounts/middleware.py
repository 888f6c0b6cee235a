from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user's saved language wins over the browser's, on every device they use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # Runs before AuthenticationMiddleware: read the session's user lazily.
        lang = None
        if request.session.get("_auth_user_id") and not request.COOKIES.get("django_language"):
            from .models import User

            lang = (
                User.objects.filter(pk=request.session["_auth_user_id"])
                .values_list("language", flat=True)
                .first()
            )
        if lang:
            request.COOKIES["django_language"] = lang
        del user
        response = self.get_response(request)
        if lang and translation.check_for_language(lang):
            response.set_cookie("django_language", lang, max_age=365 * 24 * 3600, samesite="Lax")
        return response
