"""Reading personas, staff and their load (tenant-scoped). Other apps route customers with these.

Load = customers currently with the account (`StaffCustomer.removed_at` empty). Capacity = the
account's own, else its persona's default, else WeCom's initial 5,000.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from shequn.channels.models import WeComCorp
from shequn.personas.models import NEARLY_FULL, Persona, StaffAccount, StaffCustomer
from shequn.tenancy.scope import require_tenant

__all__ = [
    "PersonaLoad",
    "StaffLoad",
    "Workload",
    "available_staff",
    "customers_of",
    "load",
    "persona_of_userid",
    "personas",
    "staff_accounts",
    "staff_by_userid",
    "workload",
]


def personas() -> QuerySet[Persona]:
    return Persona.objects.order_by("name")


def staff_accounts(
    *, persona: Persona | None = None, corp: WeComCorp | None = None
) -> QuerySet[StaffAccount]:
    """Staff accounts with `current_load` (customers now) annotated, by persona then name."""
    found: QuerySet[StaffAccount] = StaffAccount.objects.select_related("persona", "corp").annotate(
        current_load=Count("customers", filter=Q(customers__removed_at__isnull=True))
    )
    if persona is not None:
        found = found.filter(persona=persona)
    if corp is not None:
        found = found.filter(corp=corp)
    return found.order_by("persona__name", "name", "userid")


def load(staff: StaffAccount) -> int:
    """Customers the account has now."""
    return int(StaffCustomer.objects.filter(staff=staff, removed_at__isnull=True).count())


def _share(current: int, capacity: int) -> float:
    return current / capacity if capacity > 0 else 1.0


def available_staff(persona: Persona) -> list[StaffAccount]:
    """Active accounts of the persona below capacity, least loaded (share of capacity) first.

    Each has `current_load` set; give the first one the next customer.
    """
    found = staff_accounts(persona=persona).filter(
        active=True, customer_contact_enabled=True, corp__disconnected_at__isnull=True
    )
    rows = [s for s in found if s.current_load < s.effective_capacity]
    rows.sort(key=lambda s: (_share(s.current_load, s.effective_capacity), s.current_load, s.pk))
    return rows


def staff_by_userid(corp: WeComCorp, userid: str) -> StaffAccount | None:
    found: StaffAccount | None = (
        StaffAccount.objects.select_related("persona").filter(corp=corp, userid=userid).first()
    )
    return found


def persona_of_userid(corp: WeComCorp, userid: str) -> Persona | None:
    staff = staff_by_userid(corp, userid)
    return staff.persona if staff is not None else None


def customers_of(staff: StaffAccount) -> QuerySet[StaffCustomer]:
    """Current customers first, newest first."""
    return StaffCustomer.objects.filter(staff=staff).order_by(
        F("removed_at").desc(nulls_first=True), "-added_at", "-id"
    )


# -- workload -------------------------------------------------------------------------------


@dataclass
class StaffLoad:
    staff: StaffAccount
    customers: int
    capacity: int
    adds_today: int
    adds_7d: int
    removals_7d: int

    @property
    def percent(self) -> int:
        return min(100, round(100 * _share(self.customers, self.capacity)))

    @property
    def nearly_full(self) -> bool:
        return _share(self.customers, self.capacity) >= NEARLY_FULL


@dataclass
class PersonaLoad:
    persona: Persona | None  # None: accounts without a persona
    accounts: list[StaffLoad] = field(default_factory=list)

    @property
    def customers(self) -> int:
        return sum(a.customers for a in self.accounts)

    @property
    def capacity(self) -> int:
        return sum(a.capacity for a in self.accounts if a.staff.routable)

    @property
    def adds_today(self) -> int:
        return sum(a.adds_today for a in self.accounts)

    @property
    def adds_7d(self) -> int:
        return sum(a.adds_7d for a in self.accounts)

    @property
    def removals_7d(self) -> int:
        return sum(a.removals_7d for a in self.accounts)

    @property
    def routable(self) -> int:
        return sum(1 for a in self.accounts if a.staff.routable and not a.nearly_full)

    @property
    def percent(self) -> int:
        return min(100, round(100 * _share(self.customers, self.capacity)))

    @property
    def nearly_full(self) -> bool:
        return _share(self.customers, self.capacity) >= NEARLY_FULL


@dataclass
class Workload:
    personas: list[PersonaLoad]

    @property
    def accounts(self) -> list[StaffLoad]:
        return [a for p in self.personas for a in p.accounts]

    @property
    def nearly_full(self) -> list[StaffLoad]:
        return [a for a in self.accounts if a.nearly_full and a.staff.routable]


def _start_of_today(now: datetime) -> datetime:
    local = now.astimezone(ZoneInfo(require_tenant().time_zone))
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def workload(now: datetime | None = None) -> Workload:
    """Customers vs capacity, adds today (workspace time zone) and in 7 days, removals in 7 days."""
    moment = now or timezone.now()
    today = _start_of_today(moment)
    week = moment - timedelta(days=7)
    rows: QuerySet[StaffAccount] = staff_accounts().annotate(
        adds_today=Count("customers", filter=Q(customers__added_at__gte=today)),
        adds_7d=Count("customers", filter=Q(customers__added_at__gte=week)),
        removals_7d=Count("customers", filter=Q(customers__removed_at__gte=week)),
    )
    by_persona: dict[int | None, PersonaLoad] = {p.pk: PersonaLoad(p) for p in personas()}
    for staff in rows:
        group = by_persona.setdefault(staff.persona_id, PersonaLoad(None))
        group.accounts.append(
            StaffLoad(
                staff=staff,
                customers=staff.current_load,
                capacity=staff.effective_capacity,
                adds_today=staff.adds_today,  # type: ignore[attr-defined]
                adds_7d=staff.adds_7d,  # type: ignore[attr-defined]
                removals_7d=staff.removals_7d,  # type: ignore[attr-defined]
            )
        )
    ordered = [g for key, g in by_persona.items() if key is not None]
    if None in by_persona:
        ordered.append(by_persona[None])
    return Workload(ordered)
