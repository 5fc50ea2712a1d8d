"""/cb/<kind>/<callback_key>/: the URLs pasted into WeChat's, WeCom's and Pay's consoles."""

from django.urls import path

from shequn.ingest import views

app_name = "ingest"

urlpatterns = [
    path("oa/<str:callback_key>/", views.callback, {"kind": "oa"}, name="callback_oa"),
    path("wecom/<str:callback_key>/", views.callback, {"kind": "wecom"}, name="callback_wecom"),
    path("pay/<str:callback_key>/", views.callback, {"kind": "pay"}, name="callback_pay"),
]
