"""Pages under /w/<workspace>/personas/ (included by the console's URL conf)."""

from django.urls import path

from shequn.personas import views

urlpatterns = [
    path("", views.index, name="personas"),
]
