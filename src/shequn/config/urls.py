from django.urls import include, path

urlpatterns = [
    path("accounts/", include("shequn.accounts.urls")),
    path("api/v1/", include("shequn.api.urls")),
    path("cb/", include("shequn.ingest.urls")),
    path("q/", include("shequn.community.public_urls")),
    path("c/", include("shequn.livecodes.public_urls")),
    path("", include("shequn.console.urls")),
]
