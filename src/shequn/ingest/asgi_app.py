"""The ASGI application `shequn serve` runs: callbacks in front, Django behind.

Django is set up before anything imports models, as in shequn.config.wsgi.
"""

import os
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shequn.config.settings")
django_application: Any = get_asgi_application()  # its types are narrower than ASGI's

from shequn.ingest.asgi import CallbackFront, CallbackPipeline  # noqa: E402
from shequn.ingest.rsgi import CallbackRSGI  # noqa: E402

pipeline = CallbackPipeline()
application = CallbackFront(django_application, pipeline)
# The same app for granian's RSGI interface (`shequn serve` default).
rsgi_application = CallbackRSGI(django_application, pipeline)
