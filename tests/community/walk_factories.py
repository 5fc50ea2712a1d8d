"""Factories for the tenant-isolation walk: a pool with a group, its join way, a questionnaire
and a progression (join ways and progressions come from WeCom, so they are stored directly)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from shequn.community import services
from shequn.community.models import GroupPool, JoinWay, PoolGroup, Progression
from shequn.contacts import services as contact_services
from shequn.contacts.models import Identity
from tests.channels.factories import make_wecom_corp

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def _corp() -> Any:
    from shequn.channels.models import WeComCorp

    return WeComCorp.objects.filter(corpid="ww0000000000000001").first() or make_wecom_corp()


def _pool() -> GroupPool:
    found: GroupPool | None = GroupPool.objects.filter(name="sakura-pool-marker").first()
    return found or services.create_pool(
        corp=_corp(), name="sakura-pool-marker", invite_text="sakura-pool-invite-marker"
    )


def _member() -> PoolGroup:
    group = contact_services.group(_corp(), "wrSakuraPoolWalk", NOW)
    return services.add_group_to_pool(_pool(), group)


def factories(built_type: Any) -> dict[str, Any]:
    def pool(t: Any) -> Any:
        return built_type(_pool(), ["sakura-pool-marker", "sakura-pool-invite-marker"])

    def pool_group(t: Any) -> Any:
        return built_type(_member(), ["wrSakuraPoolWalk"])

    def join_way(t: Any) -> Any:
        way = JoinWay.objects.create(
            pool=_pool(),
            config_id="sakura-joinway-marker",
            qr_code="https://example.com/sakura-qr-marker",
            chat_ids=["wrSakuraPoolWalk"],
            state="jwsakurawalk",
        )
        return built_type(way, ["sakura-joinway-marker", "sakura-qr-marker"])

    def questionnaire(t: Any) -> Any:
        q = services.save_questionnaire(
            None,
            name="sakura-questionnaire-marker",
            title="sakura-questionnaire-title",
            question="When was your baby born?",
            attribute_key="baby_birth",
            pools=[_pool()],
        )
        return built_type(q, ["sakura-questionnaire-marker", "sakura-questionnaire-title"])

    def progression(t: Any) -> Any:
        contact = contact_services.contact_for_identity(
            Identity.Kind.UNIONID, "oSakuraProgressionWalk"
        )
        made = Progression.objects.create(
            contact=contact, from_pool=_pool(), to_pool=_pool(), sender_userid="sakura-sender"
        )
        return built_type(made, ["sakura-sender"])

    return {
        "community.grouppool": pool,
        "community.poolgroup": pool_group,
        "community.joinway": join_way,
        "community.questionnaire": questionnaire,
        "community.progression": progression,
    }
