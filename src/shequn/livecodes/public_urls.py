"""Public pages of live codes (no sign-in): /c/<token>/ is what a shared or printed link opens."""

from django.urls import path

from shequn.livecodes import public_views

app_name = "livecodes_public"

urlpatterns = [
    path("<str:token>/", public_views.landing, name="landing"),
    path("<str:token>/qr.png", public_views.qr_image, name="qr"),
]
