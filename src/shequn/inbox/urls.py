"""Inbox pages under /w/<workspace>/inbox/ (included by the console's URL conf, so the names
live in the console namespace and start with the area's key)."""

from django.urls import path

from shequn.inbox.views import autoreplies, conversations, menus

urlpatterns = [
    path("", conversations.inbox, name="inbox"),
    path("c/<uuid:uid>/", conversations.conversation, name="inbox_conversation"),
    path("c/<uuid:uid>/thread/", conversations.thread, name="inbox_thread"),
    path("c/<uuid:uid>/reply/", conversations.reply, name="inbox_reply"),
    path("c/<uuid:uid>/assign/", conversations.assign, name="inbox_assign"),
    path("canned/", conversations.canned, name="inbox_canned"),
    path("canned/<uuid:uid>/delete/", conversations.canned_delete, name="inbox_canned_delete"),
    path("auto-replies/", autoreplies.rule_list, name="inbox_rules"),
    path("auto-replies/new/", autoreplies.rule_new, name="inbox_rule_new"),
    path("auto-replies/<uuid:uid>/", autoreplies.rule_edit, name="inbox_rule_edit"),
    path("auto-replies/<uuid:uid>/toggle/", autoreplies.rule_toggle, name="inbox_rule_toggle"),
    path("auto-replies/<uuid:uid>/move/", autoreplies.rule_move, name="inbox_rule_move"),
    path("auto-replies/<uuid:uid>/delete/", autoreplies.rule_delete, name="inbox_rule_delete"),
    path("menus/", menus.menu_list, name="inbox_menus"),
    path("menus/new/", menus.menu_new, name="inbox_menu_new"),
    path("menus/<uuid:uid>/", menus.menu_edit, name="inbox_menu_edit"),
    path("menus/<uuid:uid>/publish/", menus.menu_publish, name="inbox_menu_publish"),
    path("menus/<uuid:uid>/delete/", menus.menu_delete, name="inbox_menu_delete"),
]
