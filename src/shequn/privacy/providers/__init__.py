"""Export and erasure of the apps that existed before this one (registered here so that those
apps need no change); a new app adds its own module here, see the privacy README."""

from shequn.privacy.providers import (
    audit,
    community,
    contacts,
    imports,
    inbox,
    ingest,
    livecodes,
    personas,
    privacy,
    rewards,
)

__all__ = [
    "audit",
    "community",
    "contacts",
    "imports",
    "inbox",
    "ingest",
    "livecodes",
    "personas",
    "privacy",
    "rewards",
]
