"""Channel pages under /w/<workspace>/channels/ (included by the console's URL conf)."""

from django.urls import path

from shequn.channels import views

urlpatterns = [
    path("", views.channel_list, name="channels"),
    path("connect/<str:kind>/", views.connect, name="channel_connect"),
    path("<uuid:uid>/", views.channel_detail, name="channel_detail"),
    path("<uuid:uid>/test/", views.test, name="channel_test"),
    path("<uuid:uid>/pause/", views.pause, name="channel_pause"),
    path("<uuid:uid>/events/<uuid:event_uid>/replay/", views.replay, name="channel_event_replay"),
]
