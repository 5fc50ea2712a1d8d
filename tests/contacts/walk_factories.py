"""Factories for the tenant-isolation walk: tags, attributes, rules and sync runs, via services."""

from __future__ import annotations

from typing import Any

from shequn.contacts import services
from shequn.contacts.models import ContactTag, Identity, Tag, TagMirror
from tests.channels.factories import make_official_account


def _oa() -> Any:
    from shequn.channels.models import OfficialAccount

    return (
        OfficialAccount.objects.filter(appid="wx0000000000000001").first()
        or make_official_account()
    )


def _contact() -> Any:
    return services.contact_for_identity(Identity.Kind.OA_OPENID, "oSakuraTagWalk", "oa:walk")


def _tag() -> Tag:
    found: Tag | None = Tag.objects.filter(name="sakura-tag-marker").first()
    if found is not None:
        return found
    _oa()
    return services.create_tag("sakura-tag-marker")


def factories(built_type: Any) -> dict[str, Any]:
    def wrap(fn: Any, secrets: list[str] | None = None) -> Any:
        return lambda t: built_type(fn(), secrets or [])

    def contact_tag() -> ContactTag:
        services.tag_contacts(_tag(), [_contact()])
        found: ContactTag = ContactTag.objects.get(tag=_tag())
        return found

    def mirror() -> TagMirror:
        found = TagMirror.objects.filter(tag=_tag()).first()
        assert found is not None
        return found  # type: ignore[no-any-return]

    def definition() -> Any:
        return services.define_attribute(
            key="sakura_attr_marker", label="sakura-attr-marker", value_type="text"
        )

    def attribute() -> Any:
        definition_ = (
            services.define_attribute(key="walk_note", label="Walk note", value_type="text")
            if not _definitions_exist("walk_note")
            else "walk_note"
        )
        return services.set_attribute(_contact(), definition_, "sakura-attr-value-marker")

    def rule() -> Any:
        return services.create_auto_tag_rule(_tag(), "keyword", "sakura-rule-keyword-marker")

    def sync_run() -> Any:
        return services.start_follower_sync(_oa())

    return {
        "contacts.tag": wrap(_tag, ["sakura-tag-marker"]),
        "contacts.contacttag": wrap(contact_tag),
        "contacts.tagmirror": wrap(mirror),
        "contacts.attributedefinition": wrap(definition, ["sakura-attr-marker"]),
        "contacts.contactattribute": wrap(attribute, ["sakura-attr-value-marker"]),
        "contacts.autotagrule": wrap(rule, ["sakura-rule-keyword-marker"]),
        "contacts.syncrun": wrap(sync_run),
    }


def _definitions_exist(key: str) -> bool:
    from shequn.contacts.models import AttributeDefinition

    return AttributeDefinition.objects.filter(key=key).exists()
