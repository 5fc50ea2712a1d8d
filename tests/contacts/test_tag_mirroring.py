"""Tags mirrored to an official account on the sandbox; WeChat's limits refused before calling."""

from __future__ import annotations

import pytest

from shequn.channels import services as channel_services
from shequn.contacts import queries, services
from shequn.contacts.models import Contact, TagMirror
from tests.conftest import World
from tests.contacts.oa_sandbox import OASandbox, wire_oa
from tests.ingest.sandbox_support import (
    Sandbox,
    run_worker,
    sandbox_fixture,  # noqa: F401 - provides the `sandbox` fixture
)

pytestmark = pytest.mark.slow


@pytest.fixture
def oa(transactional_db: None, world: World, sandbox: Sandbox) -> OASandbox:
    return wire_oa(world, sandbox)


def _followers(oa: OASandbox, count: int) -> list[Contact]:
    from datetime import UTC, datetime

    people = []
    for i in range(count):
        openid = f"oTag{i:04d}"
        oa.add_customer(openid)
        with oa.tenant.scope():
            people.append(
                services.follow(
                    oa.account,
                    openid,
                    channel_ref=oa.ref,
                    scene="",
                    at=datetime(2026, 1, 1, tzinfo=UTC),
                )
            )
    return people


def _tags_of_user(oa: OASandbox, openid: str) -> list[int]:
    with oa.tenant.scope(), channel_services.official_account_client(oa.account) as c:
        return c.tags.tags_of_user(openid)  # type: ignore[no-any-return]


def test_tag_is_created_renamed_and_deleted_on_the_account(oa: OASandbox) -> None:
    with oa.tenant.scope():
        tag = services.create_tag("Autumn fair")
    run_worker()
    with oa.tenant.scope():
        mirror = TagMirror.objects.get()
        assert mirror.status == TagMirror.Status.SYNCED
        assert mirror.channel_ref == oa.ref
    assert [t["name"] for t in oa.remote_tags() if str(t["id"]) == mirror.remote_id] == [
        "Autumn fair"
    ]
    with oa.tenant.scope():
        services.rename_tag(tag, "Spring fair")
    run_worker()
    assert "Spring fair" in {t["name"] for t in oa.remote_tags()}
    with oa.tenant.scope():
        services.delete_tag(tag)
    run_worker()
    assert not {t["name"] for t in oa.remote_tags()} & {"Autumn fair", "Spring fair"}


def test_bulk_tag_and_untag_reach_wechat_in_batches_of_fifty(oa: OASandbox) -> None:
    people = _followers(oa, 120)
    with oa.tenant.scope():
        tag = services.create_tag("VIP")
        assert services.tag_contacts(tag, people) == 120
        assert services.tag_contacts(tag, people[:10]) == 0
    run_worker()
    with oa.tenant.scope():
        remote_id = int(TagMirror.objects.get().remote_id)
        assert queries.contacts_with_tag(tag).count() == 120
    assert remote_id in _tags_of_user(oa, "oTag0000")
    assert remote_id in _tags_of_user(oa, "oTag0119")
    with oa.tenant.scope():
        assert services.untag_contacts(tag, people[:70]) == 70
    run_worker()
    assert remote_id not in _tags_of_user(oa, "oTag0069")
    assert remote_id in _tags_of_user(oa, "oTag0070")
    with oa.tenant.scope():
        assert queries.contacts_with_tag(tag).count() == 50


def test_the_101st_tag_is_refused_before_wechat_is_called(oa: OASandbox) -> None:
    with oa.tenant.scope():
        for i in range(100):
            services.create_tag(f"tag {i}")
    run_worker()
    assert len(oa.remote_tags()) >= 100
    with oa.tenant.scope():
        with pytest.raises(services.TagLimitError, match="100"):
            services.create_tag("one too many")
        assert queries.tags_with_counts().count() == 100
        assert not TagMirror.objects.exclude(status=TagMirror.Status.SYNCED).exists()


def test_a_21st_tag_for_one_person_is_refused_before_wechat_is_called(oa: OASandbox) -> None:
    (person,) = _followers(oa, 1)
    with oa.tenant.scope():
        tags = [services.create_tag(f"interest {i}") for i in range(21)]
        for tag in tags[:20]:
            services.tag_contacts(tag, [person])
        with pytest.raises(services.TagLimitError, match="20"):
            services.tag_contacts(tags[20], [person])
        assert queries.tags_of(person).count() == 20
    run_worker()
    assert len(_tags_of_user(oa, "oTag0000")) == 20


def test_names_longer_than_thirty_characters_or_duplicates_are_refused(oa: OASandbox) -> None:
    with oa.tenant.scope():
        services.create_tag("VIP")
        with pytest.raises(services.TagLimitError):
            services.create_tag("x" * 31)
        with pytest.raises(services.TagLimitError):
            services.create_tag(" VIP ")
