from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in user's saved language applies on any device they sign in from.

    Runs before LocaleMiddleware: when the browser has no language cookie yet, the user's saved
    choice is put in its place (and set as the cookie), so the browser's own preference only
    decides for visitors who never chose.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        lang = None
        user_id = request.session.get("_auth_user_id")
        if user_id and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            from .models import User

            lang = User.objects.filter(pk=user_id).values_list("language", flat=True).first()
            if lang and translation.check_for_language(lang):
                request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = lang
            else:
                lang = None
        response = self.get_response(request)
        if lang:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                lang,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                samesite="Lax",
            )
        return response
