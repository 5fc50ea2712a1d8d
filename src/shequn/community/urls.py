"""Pages under /w/<workspace>/community/ (included by the console's URL conf)."""

from django.urls import path

from shequn.community import views

urlpatterns = [
    path("", views.index, name="community"),
]
