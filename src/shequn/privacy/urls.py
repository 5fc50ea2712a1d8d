"""Privacy pages under /w/<workspace>/privacy/ (names live in the console namespace)."""

from django.urls import path

from shequn.privacy import views

urlpatterns = [
    path("", views.requests_page, name="privacy_requests"),
    path("contacts/<uuid:uid>/", views.contact_page, name="privacy_contact"),
    path("contacts/<uuid:uid>/consent/", views.consent, name="privacy_consent"),
    path("contacts/<uuid:uid>/export/", views.export, name="privacy_export"),
    path("contacts/<uuid:uid>/erase/", views.erase, name="privacy_erase"),
]
