"""Pages under /w/<workspace>/livecodes/ (included by the console's URL conf)."""

from django.urls import path

from shequn.livecodes import views

urlpatterns = [
    path("", views.campaign_list, name="livecodes"),
    path("new/", views.campaign_new, name="livecodes_new"),
    path("<uuid:uid>/", views.campaign_detail, name="livecodes_campaign"),
    path("<uuid:uid>/edit/", views.campaign_edit, name="livecodes_edit"),
    path("<uuid:uid>/delete/", views.campaign_delete, name="livecodes_delete"),
    path("<uuid:uid>/codes/", views.code_create, name="livecodes_code_create"),
    path("<uuid:uid>/lots/", views.batch_create, name="livecodes_batch_create"),
    path("<uuid:uid>/retry/", views.retry, name="livecodes_retry"),
    path("codes/<uuid:uid>/qr.png", views.code_qr, name="livecodes_code_qr"),
    path("lots/<uuid:uid>/progress/", views.batch_progress, name="livecodes_batch_progress"),
    path("lots/<uuid:uid>/stickers.pdf", views.batch_pdf, name="livecodes_batch_pdf"),
    path("lots/<uuid:uid>/stickers.zip", views.batch_zip, name="livecodes_batch_zip"),
]
