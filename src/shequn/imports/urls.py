"""Import and export pages under /w/<workspace>/imports/ (names in the console namespace)."""

from django.urls import path

from shequn.imports import views

urlpatterns = [
    path("", views.jobs_page, name="imports"),
    path("<uuid:uid>/", views.job_page, name="imports_job"),
    path("export/", views.export_page, name="imports_export"),
]
