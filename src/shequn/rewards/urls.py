"""Pages under /w/<workspace>/rewards/ (included by the console's URL conf)."""

from django.urls import path

from shequn.rewards import views

urlpatterns = [
    path("", views.index, name="rewards"),
    path("new/", views.campaign_new, name="rewards_new"),
    path("payouts/", views.ledger, name="rewards_ledger"),
    path("payouts/<uuid:uid>/", views.payout_detail, name="rewards_payout"),
    path("<uuid:uid>/", views.campaign_detail, name="rewards_campaign"),
    path("<uuid:uid>/edit/", views.campaign_edit, name="rewards_edit"),
    path("<uuid:uid>/pause/", views.campaign_pause, name="rewards_pause"),
    path("<uuid:uid>/resume/", views.campaign_resume, name="rewards_resume"),
]
