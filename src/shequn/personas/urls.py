"""Pages under /w/<workspace>/personas/ (included by the console's URL conf)."""

from django.urls import path

from shequn.personas import views

urlpatterns = [
    path("", views.workload, name="personas"),
    path("new/", views.persona_new, name="personas_new"),
    path("sync/", views.staff_sync, name="personas_sync"),
    path("staff/", views.staff_list, name="personas_staff"),
    path("staff/<uuid:uid>/", views.staff_edit, name="personas_staff_edit"),
    path("<uuid:uid>/", views.persona_detail, name="personas_detail"),
    path("<uuid:uid>/edit/", views.persona_edit, name="personas_edit"),
    path("<uuid:uid>/delete/", views.persona_delete, name="personas_delete"),
    path("<uuid:uid>/avatar/", views.persona_avatar, name="personas_avatar"),
]
