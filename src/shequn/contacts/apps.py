from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "shequn.contacts"
    label = "contacts"
    verbose_name = "Contacts"
