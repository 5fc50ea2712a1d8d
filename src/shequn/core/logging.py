"""One logging setup for stdlib logging and structlog: JSON lines in production, readable in dev.

Log calls name an event (`ingest.callback.accepted`) and pass context as keywords.
"""

from __future__ import annotations

import logging
import logging.config
import sys
from typing import Any

import structlog
from django.conf import settings

_configured = False

# Keys whose values must never reach a log line, whatever the caller passes.
_SECRET_KEYS = frozenset(
    {
        "secret",
        "app_secret",
        "password",
        "token",
        "access_token",
        "aes_key",
        "encoding_aes_key",
        "api_v3_key",
        "private_key",
        "authorization",
    }
)


def _redact(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    for key in list(event_dict):
        if key.lower() in _SECRET_KEYS:
            event_dict[key] = "[redacted]"
    return event_dict


def configure_logging() -> None:
    global _configured
    if _configured:
        return
    _configured = True
    json_output = settings.LOG_FORMAT == "json"
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _redact,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if json_output
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "structured": {
                    "()": structlog.stdlib.ProcessorFormatter,
                    "processors": [
                        structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                        structlog.processors.format_exc_info
                        if json_output
                        else (lambda _, __, e: e),
                        renderer,
                    ],
                    "foreign_pre_chain": shared,
                }
            },
            "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "structured"}},
            "root": {"handlers": ["stderr"], "level": settings.LOG_LEVEL},
            "loggers": {
                "django.server": {"level": "WARNING"},
                "django.db.backends": {"level": "WARNING"},
                "httpx": {"level": "WARNING"},
            },
        }
    )


def get_logger(name: str) -> Any:
    return structlog.get_logger(name)
