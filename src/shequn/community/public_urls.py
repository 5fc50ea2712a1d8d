"""Public pages of community (no sign-in): the pre-join questionnaire behind a signed link."""

from django.urls import path

from shequn.community import public_views

app_name = "community_public"

urlpatterns = [
    path("<str:token>/", public_views.questionnaire, name="questionnaire"),
]
