"""Contact pages under /w/<workspace>/contacts/ (names live in the console namespace)."""

from django.urls import path

from shequn.contacts import setup_views, tag_views, views

urlpatterns = [
    path("", views.contact_list, name="contacts"),
    path("bulk/", views.contact_bulk, name="contacts_bulk"),
    path("save-view/", views.contact_save_view, name="contacts_save_view"),
    path("<uuid:uid>/", views.contact_profile, name="contacts_profile"),
    path("<uuid:uid>/timeline/", views.contact_timeline, name="contacts_timeline"),
    path("<uuid:uid>/profile/", views.contact_edit, name="contacts_edit"),
    path("<uuid:uid>/attributes/", views.contact_attributes, name="contacts_set_attributes"),
    path("<uuid:uid>/tags/", views.contact_tags, name="contacts_contact_tags"),
    path("merges/<uuid:uid>/undo/", views.merge_undo, name="contacts_merge_undo"),
    path("tags/", tag_views.tag_list, name="contacts_tags"),
    path("tags/<uuid:uid>/rename/", tag_views.tag_rename, name="contacts_tag_rename"),
    path("tags/<uuid:uid>/delete/", tag_views.tag_delete, name="contacts_tag_delete"),
    path("tags/rules/", tag_views.rule_create, name="contacts_rule_create"),
    path("tags/rules/<uuid:uid>/toggle/", tag_views.rule_toggle, name="contacts_rule_toggle"),
    path("tags/rules/<uuid:uid>/delete/", tag_views.rule_delete, name="contacts_rule_delete"),
    path("attributes/", setup_views.attribute_list, name="contacts_attributes"),
    path("attributes/<uuid:uid>/edit/", setup_views.attribute_edit, name="contacts_attribute_edit"),
    path("attributes/<uuid:uid>/move/", setup_views.attribute_move, name="contacts_attribute_move"),
    path("sync/", setup_views.sync_page, name="contacts_sync"),
    path("sync/start/", setup_views.sync_start, name="contacts_sync_start"),
    path("sync/<uuid:uid>/", setup_views.sync_progress, name="contacts_sync_progress"),
]
