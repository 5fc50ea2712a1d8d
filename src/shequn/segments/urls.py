"""Segment pages under /w/<workspace>/segments/ (included by the console's URL conf)."""

from django.urls import path

from shequn.segments import views

urlpatterns = [
    path("", views.segment_list, name="segments"),
    path("new/", views.segment_new, name="segments_new"),
    path("rows/", views.segment_rows, name="segments_rows"),
    path("preview/", views.segment_preview, name="segments_preview"),
    path("<uuid:uid>/", views.segment_members, name="segments_members"),
    path("<uuid:uid>/edit/", views.segment_edit, name="segments_edit"),
    path("<uuid:uid>/delete/", views.segment_delete, name="segments_delete"),
]
