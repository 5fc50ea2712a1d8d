"""Pages under /w/<workspace>/livecodes/ (included by the console's URL conf)."""

from django.urls import path

from shequn.livecodes import views

urlpatterns = [
    path("", views.index, name="livecodes"),
]
