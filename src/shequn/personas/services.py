"""Writing personas and staff (audited), and keeping each account's customers from the events."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.channels.models import WeComCorp
from shequn.contacts.models import Contact
from shequn.jobs.tasks import enqueue_on_commit
from shequn.personas.models import Persona, StaffAccount, StaffCustomer
from shequn.personas.staff_sync import SyncResult, sync_staff

__all__ = [
    "PersonaInvalid",
    "SyncResult",
    "create_persona",
    "customer_added",
    "customer_removed",
    "delete_persona",
    "request_staff_sync",
    "set_avatar",
    "staff_account",
    "sync_staff",
    "update_persona",
    "update_staff",
]

MAX_SNIPPETS = 50
MAX_AVATAR_BYTES = 1024 * 1024
MAX_CAPACITY = 200_000
# Images by their first bytes: never trust the browser's content type.
_IMAGE_MAGIC = {
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpg",
    b"GIF87a": "gif",
    b"GIF89a": "gif",
}


class PersonaInvalid(ValueError):
    """What was wrong with the input, one translated message per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


def _snippets(raw: Iterable[Any]) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for item in raw:
        if isinstance(item, Mapping):
            title, text = str(item.get("title", "")).strip(), str(item.get("text", "")).strip()
        else:
            title, text = "", str(item).strip()
        if text:
            out.append({"title": title[:100], "text": text[:2000]})
    if len(out) > MAX_SNIPPETS:
        raise PersonaInvalid([_("A content pack holds at most 50 snippets.")])
    return out


def _capacity(value: Any) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = -1
    if not 1 <= number <= MAX_CAPACITY:
        raise PersonaInvalid([_("Capacity must be a whole number from 1 to 200,000.")])
    return number


def _apply(persona: Persona, fields: dict[str, Any]) -> None:
    errors: list[str] = []
    if "name" in fields:
        persona.name = str(fields["name"] or "").strip()
    if not persona.name or len(persona.name) > 100:
        errors.append(_("A persona needs a name of at most 100 characters."))
    if "display_name" in fields:
        persona.display_name = str(fields["display_name"] or "").strip()[:100]
    if not persona.display_name:
        persona.display_name = persona.name[:100]
    if "tone_guide" in fields:
        persona.tone_guide = str(fields["tone_guide"] or "").strip()[:4000]
    if "avatar_url" in fields:
        url = str(fields["avatar_url"] or "").strip()
        if url and not url.startswith(("https://", "http://")):
            errors.append(_("The avatar URL must start with https:// or http://."))
        persona.avatar_url = url[:500]
    try:
        if "content_pack" in fields:
            persona.content_pack = _snippets(fields["content_pack"] or [])
        if "default_capacity" in fields:
            persona.default_capacity = _capacity(fields["default_capacity"])
    except PersonaInvalid as exc:
        errors.extend(exc.errors)
    if errors:
        raise PersonaInvalid(errors)


def _save(persona: Persona) -> None:
    try:
        with transaction.atomic():
            persona.save()
    except IntegrityError as exc:
        raise PersonaInvalid([_("A persona with this name already exists.")]) from exc


def create_persona(name: str, **fields: Any) -> Persona:
    """Fields: display_name, tone_guide, avatar_url, content_pack, default_capacity."""
    persona = Persona()
    _apply(persona, {"name": name, **fields})
    _save(persona)
    record("personas.persona.created", target=persona, data={"name": persona.name})
    return persona


def update_persona(persona: Persona, **fields: Any) -> Persona:
    _apply(persona, fields)
    _save(persona)
    record("personas.persona.updated", target=persona, data={"name": persona.name})
    return persona


def delete_persona(persona: Persona) -> None:
    """Its staff accounts stay, without a persona."""
    record("personas.persona.deleted", target=persona, data={"name": persona.name})
    if persona.avatar:
        persona.avatar.delete(save=False)
    persona.delete()


def set_avatar(persona: Persona, upload: UploadedFile) -> Persona:
    """Store an uploaded PNG, JPEG or GIF (≤ 1 MB) as the avatar; it replaces the previous file."""
    if upload.size is None or upload.size > MAX_AVATAR_BYTES:
        raise PersonaInvalid([_("The avatar must be an image of at most 1 MB.")])
    head = upload.read(8)
    upload.seek(0)
    kind = next((ext for magic, ext in _IMAGE_MAGIC.items() if head.startswith(magic)), None)
    if kind is None:
        raise PersonaInvalid([_("The avatar must be a PNG, JPEG or GIF image.")])
    if persona.avatar:
        persona.avatar.delete(save=False)
    persona.avatar.save(f"{persona.uid}.{kind}", upload, save=False)
    persona.save(update_fields=["avatar", "updated_at"])
    record("personas.persona.avatar_changed", target=persona, data={"name": persona.name})
    return persona


_UNSET: Any = object()


def update_staff(
    staff: StaffAccount,
    *,
    persona: Persona | None = _UNSET,
    capacity: int | None = _UNSET,
    active: bool | None = None,
) -> StaffAccount:
    """Assign a persona (None: none), set a capacity (None: the persona's default), (de)activate."""
    data: dict[str, Any] = {"userid": staff.userid}
    if persona is not _UNSET:
        staff.persona = persona
        data["persona"] = persona.name if persona is not None else None
    if capacity is not _UNSET:
        staff.capacity = None if capacity is None else _capacity(capacity)
        data["capacity"] = staff.capacity
    if active is not None:
        staff.active = bool(active)
        data["active"] = staff.active
    staff.save(update_fields=["persona", "capacity", "active"])
    record("personas.staff.updated", target=staff, data=data)
    return staff


def request_staff_sync(corp: WeComCorp) -> None:
    """Sync the corp's staff in the background, after this transaction commits."""
    from shequn.personas.tasks import sync_corp_staff

    enqueue_on_commit(sync_corp_staff, corp.tenant_id, corp.pk)
    record("personas.staff.sync_requested", target=corp, data={"corp": corp.name})


# -- customers, from the add/remove events ------------------------------------------------


def staff_account(corp: WeComCorp, userid: str) -> StaffAccount:
    """A member's account, created (active, named by its userid) when an event names it first."""
    found: StaffAccount | None = StaffAccount.objects.filter(corp=corp, userid=userid).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            created: StaffAccount = StaffAccount.objects.create(
                corp=corp, userid=userid, name=userid
            )
    except IntegrityError:
        created = StaffAccount.objects.get(corp=corp, userid=userid)
    return created


def customer_added(
    corp: WeComCorp,
    userid: str,
    external_userid: str,
    *,
    at: datetime,
    state: str = "",
    contact: Contact | None = None,
) -> StaffCustomer:
    """Record that a customer added the member. Replays and stale events change nothing."""
    staff = staff_account(corp, userid)
    row: StaffCustomer | None
    row = StaffCustomer.objects.filter(staff=staff, external_userid=external_userid).first()
    if row is None:
        try:
            with transaction.atomic():
                created: StaffCustomer = StaffCustomer.objects.create(
                    staff=staff,
                    external_userid=external_userid,
                    contact=contact,
                    state=state[:64],
                    added_at=at,
                )
                return created
        except IntegrityError:
            row = StaffCustomer.objects.get(staff=staff, external_userid=external_userid)
    if row.removed_at is not None and row.removed_at <= at:
        # Added again after a removal: a new relationship.
        row.added_at, row.state, row.removed_at, row.removed_by = at, state[:64], None, ""
    if contact is not None and row.contact_id is None:
        row.contact = contact
    row.save(update_fields=["added_at", "state", "removed_at", "removed_by", "contact"])
    return row


def customer_removed(
    corp: WeComCorp, userid: str, external_userid: str, *, at: datetime, by: str
) -> StaffCustomer | None:
    """Record a removal (`by`: "staff" or "customer"); a removal older than the add is ignored."""
    staff: StaffAccount | None = StaffAccount.objects.filter(corp=corp, userid=userid).first()
    if staff is None:
        return None
    row: StaffCustomer | None = StaffCustomer.objects.filter(
        staff=staff, external_userid=external_userid
    ).first()
    if row is None or row.removed_at is not None or row.added_at > at:
        return row
    row.removed_at, row.removed_by = at, StaffCustomer.RemovedBy(by)
    row.save(update_fields=["removed_at", "removed_by"])
    return row
