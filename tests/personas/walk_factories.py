"""Factories for the tenant-isolation walk: a persona, a staff account and one customer of it."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shequn.personas import services
from shequn.personas.models import Persona, StaffAccount, StaffCustomer


def _corp() -> Any:
    from shequn.channels.models import WeComCorp
    from tests.channels.factories import make_wecom_corp

    return WeComCorp.objects.filter(corpid="ww0000000000000001").first() or make_wecom_corp()


def _persona() -> Persona:
    found: Persona | None = Persona.objects.filter(name="sakura-persona-marker").first()
    return found or services.create_persona(
        "sakura-persona-marker",
        tone_guide="sakura-tone-marker",
        content_pack=[{"title": "t", "text": "sakura-snippet-marker"}],
    )


def _staff() -> StaffAccount:
    staff = services.staff_account(_corp(), "sakura-staff-marker")
    return services.update_staff(staff, persona=_persona())


def factories(built_type: Any) -> dict[str, Any]:
    def persona(t: Any) -> Any:
        return built_type(
            _persona(), ["sakura-persona-marker", "sakura-tone-marker", "sakura-snippet-marker"]
        )

    def staff(t: Any) -> Any:
        return built_type(_staff(), ["sakura-staff-marker"])

    def customer(t: Any) -> Any:
        row: StaffCustomer = services.customer_added(
            _corp(), _staff().userid, "wmSakuraCustomerMarker", at=timezone.now()
        )
        return built_type(row, ["wmSakuraCustomerMarker"])

    return {
        "personas.persona": persona,
        "personas.staffaccount": staff,
        "personas.staffcustomer": customer,
    }
