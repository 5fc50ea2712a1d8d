"""Auto-tag rules: tag a contact when it scans a QR scene, writes a keyword or joins a group.

Evaluated by the ingest handlers for each inbound event; a contact at WeChat's tag cap is left
as it is (logged), never failing the event.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.contacts.models import AutoTagRule, Contact, ContactTag, Tag
from shequn.contacts.tagging import TagLimitError, tag_contacts
from shequn.core.logging import get_logger

log = get_logger(__name__)
Trigger = AutoTagRule.Trigger


def create_auto_tag_rule(tag: Tag, trigger: str, value: str) -> AutoTagRule:
    value = value.strip()
    if trigger not in Trigger.values:
        raise ValueError(_("Unknown trigger."))
    if trigger in (Trigger.QR_SCENE, Trigger.KEYWORD) and not value:
        raise ValueError(_("This trigger needs a value."))
    rule: AutoTagRule = AutoTagRule.objects.create(tag=tag, trigger=trigger, value=value[:128])
    record("contacts.auto_tag_rule.created", target=rule, data={"trigger": trigger})
    return rule


def delete_auto_tag_rule(rule: AutoTagRule) -> None:
    record("contacts.auto_tag_rule.deleted", target=rule, data={"trigger": rule.trigger})
    rule.delete()


def _apply(contact: Contact, rules: list[AutoTagRule]) -> list[Tag]:
    applied = []
    for rule in rules:
        try:
            if tag_contacts(rule.tag, [contact], source=ContactTag.Source.RULE):
                applied.append(rule.tag)
        except TagLimitError:
            log.info("contacts.auto_tag.at_limit", contact=str(contact.uid), rule=str(rule.uid))
    return applied


def _active(trigger: str) -> list[AutoTagRule]:
    return list(AutoTagRule.objects.filter(trigger=trigger, is_active=True).select_related("tag"))


def apply_scene_rules(contact: Contact, scene: str) -> list[Tag]:
    if not scene:
        return []
    return _apply(contact, [r for r in _active(Trigger.QR_SCENE) if r.value == scene])


def apply_keyword_rules(contact: Contact, text: str) -> list[Tag]:
    folded = text.casefold()
    if not folded:
        return []
    return _apply(
        contact, [r for r in _active(Trigger.KEYWORD) if r.value and r.value.casefold() in folded]
    )


def apply_group_join_rules(contact: Contact, chat_id: str) -> list[Tag]:
    return _apply(contact, [r for r in _active(Trigger.GROUP_JOIN) if r.value in ("", chat_id)])
