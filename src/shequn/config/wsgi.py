import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequn.config.settings")
django_application = get_wsgi_application()

# Callbacks (/cb/) are answered before Django's middleware stack; see shequn.ingest.wsgi.
from shequn.ingest.wsgi import CallbackDispatcher  # noqa: E402

application = CallbackDispatcher(django_application)
