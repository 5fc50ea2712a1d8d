"""Custom attributes: each type validates its values; a birth date gives an age in months."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from shequn.contacts import queries, services
from shequn.contacts.models import Identity
from tests.conftest import World


def _contact(value: str = "o1"):
    return services.contact_for_identity(Identity.Kind.OA_OPENID, value, "oa:1")


def test_each_type_stores_its_value_and_refuses_what_does_not_fit(world: World) -> None:
    with world.a.scope():
        contact = _contact()
        services.define_attribute(key="note", label="Note", value_type="text")
        services.define_attribute(key="spend", label="Spend", value_type="number")
        services.define_attribute(key="birthday", label="Birthday", value_type="date")
        services.define_attribute(
            key="skin", label="Skin type", value_type="choice", choices=["dry", "oily"]
        )
        services.set_attribute(contact, "note", "  prefers evening calls ")
        services.set_attribute(contact, "spend", "129.50")
        services.set_attribute(contact, "birthday", "1990-04-01")
        services.set_attribute(contact, "skin", "dry")
        assert queries.attribute_value(contact, "note") == "prefers evening calls"
        assert queries.attribute_value(contact, "spend") == Decimal("129.5")
        assert queries.attribute_value(contact, "birthday") == date(1990, 4, 1)
        assert queries.attribute_value(contact, "skin") == "dry"

        for key, bad in [
            ("spend", "a lot"),
            ("spend", True),
            ("birthday", "01/04/1990"),
            ("skin", "normal"),
            ("note", "x" * 1001),
            ("missing", "x"),
        ]:
            with pytest.raises(services.AttributeValueError):
                services.set_attribute(contact, key, bad)
        assert queries.attribute_value(contact, "skin") == "dry"

        services.set_attribute(contact, "skin", "")
        assert queries.attribute_value(contact, "skin") is None


def test_definitions_are_validated_and_per_workspace(world: World) -> None:
    with world.a.scope():
        with pytest.raises(services.AttributeValueError):
            services.define_attribute(key="skin", label="Skin", value_type="choice", choices=[])
        with pytest.raises(services.AttributeValueError):
            services.define_attribute(
                key="n", label="N", value_type="number", derive_age_months=True
            )
        services.define_attribute(key="city", label="City", value_type="text")
        with pytest.raises(services.AttributeValueError):
            services.define_attribute(key="city", label="City again", value_type="text")
    with world.b.scope():
        services.define_attribute(key="city", label="City", value_type="text")
        assert [d.label for d in queries.attribute_definitions()] == ["City"]


@time_machine.travel("2026-05-15 12:00:00+08:00", tick=False)
def test_baby_age_in_months_moves_with_the_calendar(world: World) -> None:
    with world.a.scope():
        services.define_attribute(
            key="baby_birth", label="Baby birth date", value_type="date", derive_age_months=True
        )
        newborn, toddler = _contact("o1"), _contact("o2")
        services.set_attribute(newborn, "baby_birth", "2026-04-20")
        services.set_attribute(toddler, "baby_birth", "2025-05-15")

        assert [m for _d, _v, m in queries.attribute_values(newborn)] == [0]
        assert [m for _d, _v, m in queries.attribute_values(toddler)] == [12]
        assert list(queries.contacts_with_age_months_between("baby_birth", 6, 12)) == [toddler]

        with time_machine.travel("2026-06-20 12:00:00+08:00", tick=False):
            assert [m for _d, _v, m in queries.attribute_values(newborn)] == [2]
            assert list(queries.contacts_with_age_months_between("baby_birth", 0, 6)) == [newborn]
            assert not queries.contacts_with_age_months_between("baby_birth", 6, 12).exists()


def test_age_in_months_counts_whole_months() -> None:
    assert services.age_in_months(date(2026, 1, 31), date(2026, 2, 28)) == 0
    assert services.age_in_months(date(2026, 1, 31), date(2026, 3, 1)) == 1
    assert services.age_in_months(date(2025, 2, 10), date(2026, 2, 10)) == 12
    assert services.age_in_months(date(2026, 3, 1), date(2026, 2, 1)) == 0
