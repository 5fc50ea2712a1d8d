"""Pages under /w/<workspace>/rewards/ (included by the console's URL conf)."""

from django.urls import path

from shequn.rewards import views

urlpatterns = [
    path("", views.index, name="rewards"),
]
