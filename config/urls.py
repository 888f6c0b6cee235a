from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog

from weft.core.api import api
from weft.core.views import api_not_found, set_language

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("accounts/", include("weft.accounts.urls")),
    path("", include("weft.chain.urls")),
    path("market/", include("weft.market.urls")),
    path("services/", include("weft.services.urls")),
    path("talent/", include("weft.talent.urls")),
    path("csr/", include("weft.csr.urls")),
    path("events/", include("weft.events.urls")),
    path("stats/", include("weft.stats.urls")),
    path("", include("weft.imports.urls")),
    path("", include("weft.registry.urls")),
]

# Unknown API paths answer in the API's JSON error format, not with an HTML page.
urlpatterns.insert(2, re_path(r"^api/v1/.*$", api_not_found))

handler400 = "weft.core.views.bad_request"
