"""Pages under /w/<workspace>/community/ (included by the console's URL conf)."""

from django.urls import path

from shequn.community import views

urlpatterns = [
    path("", views.index, name="community"),
    path("pools/new/", views.pool_new, name="community_pool_new"),
    path("pools/<uuid:uid>/", views.pool_detail, name="community_pool"),
    path("pools/<uuid:uid>/edit/", views.pool_edit, name="community_pool_edit"),
    path("pools/<uuid:uid>/groups/", views.pool_add_group, name="community_pool_add_group"),
    path("pools/<uuid:uid>/sync/", views.pool_sync, name="community_pool_sync"),
    path(
        "pool-groups/<uuid:uid>/remove/",
        views.pool_remove_group,
        name="community_pool_remove_group",
    ),
    path("groups/", views.group_list, name="community_groups"),
    path("groups/<uuid:uid>/", views.group_detail, name="community_group"),
    path("questionnaires/new/", views.questionnaire_new, name="community_questionnaire_new"),
    path(
        "questionnaires/<uuid:uid>/edit/",
        views.questionnaire_edit,
        name="community_questionnaire_edit",
    ),
]
