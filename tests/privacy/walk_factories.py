"""Factories for the tenant-isolation walk: consent records, requests and tombstones."""

from __future__ import annotations

from typing import Any

from shequn.contacts import services as contact_services
from shequn.contacts.models import Identity
from shequn.privacy import services


def _contact(openid: str) -> Any:
    return contact_services.contact_for_identity(Identity.Kind.OA_OPENID, openid, "oa:walk")


def factories(built_type: Any) -> dict[str, Any]:
    def consent(t: Any) -> Any:
        return built_type(
            services.grant(
                _contact("oSakuraWalk"),
                "marketing",
                source="form",
                evidence="sakura-consent-marker",
            ),
            ["sakura-consent-marker"],
        )

    def request(t: Any) -> Any:
        row, _document = services.request_export(_contact("oSakuraWalk"))
        return built_type(row, [])

    def tombstone(t: Any) -> Any:
        erased = services.erase_contact(_contact("oSakuraErasedWalk"))
        return built_type(erased, [])

    return {
        "privacy.consentrecord": consent,
        "privacy.datasubjectrequest": request,
        "privacy.erasedcontact": tombstone,
    }
