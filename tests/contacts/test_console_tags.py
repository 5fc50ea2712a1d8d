"""Console → Contacts → tags and rules, attribute definitions and the follower import page."""

from __future__ import annotations

from shequn.contacts import queries, services
from shequn.contacts.models import AttributeDefinition, AutoTagRule, Tag, TagMirror
from tests.channels.factories import make_official_account
from tests.conftest import World
from tests.contacts.test_console import client_for
from tests.ingest.conftest import as_owner

TAGS = "/w/sakura/contacts/tags/"
ATTRIBUTES = "/w/sakura/contacts/attributes/"
SYNC = "/w/sakura/contacts/sync/"


def test_tags_are_created_renamed_and_deleted_and_mirror_status_shown(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        make_official_account()
    operator = client_for(world.a.operator)
    assert operator.post(TAGS, {"name": "Autumn fair"}).status_code == 302
    page = operator.get(TAGS).content.decode()
    assert "Autumn fair" in page
    assert "Sakura OA" in page
    assert 'data-mirror="pending"' in page
    with world.a.scope():
        tag = Tag.objects.get()
        mirror = TagMirror.objects.get()
        mirror.status, mirror.error_code = TagMirror.Status.FAILED, 45158
        mirror.error_message = "tag name too long"
        mirror.save()
    failed = operator.get(TAGS).content.decode()
    assert 'data-mirror="failed"' in failed
    assert "45158" in failed
    assert "tag name too long" in failed
    duplicate = operator.post(TAGS, {"name": " Autumn  fair "})
    assert duplicate.status_code == 422
    assert "A tag with this name already exists." in duplicate.content.decode()
    operator.post(f"{TAGS}{tag.uid}/rename/", {"name": "Spring fair"})
    with world.a.scope():
        assert Tag.objects.get().name == "Spring fair"
    operator.post(f"{TAGS}{tag.uid}/delete/")
    with world.a.scope():
        assert not Tag.objects.exists()


def test_the_101st_tag_is_refused_with_wechats_limit_on_the_page(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        make_official_account()
        for i in range(100):
            services.create_tag(f"tag {i}")
    refused = client_for(world.a.owner).post(TAGS, {"name": "one too many"})
    assert refused.status_code == 422
    assert "An official account can hold at most 100 tags" in refused.content.decode()


def test_viewers_see_tags_and_rules_but_cannot_change_them(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        tag = services.create_tag("VIP")
        rule = services.create_auto_tag_rule(tag, "keyword", "member")
    viewer = client_for(world.a.viewer)
    page = viewer.get(TAGS).content.decode()
    assert "VIP" in page
    assert "member" in page
    assert "Create tag" not in page
    assert viewer.post(TAGS, {"name": "x"}).status_code == 403
    assert viewer.post(f"{TAGS}{tag.uid}/rename/", {"name": "y"}).status_code == 403
    assert viewer.post(f"{TAGS}{tag.uid}/delete/").status_code == 403
    assert viewer.post(f"{TAGS}rules/{rule.uid}/toggle/").status_code == 403
    assert (
        viewer.post(f"{TAGS}rules/", {"tag": str(tag.uid), "trigger": "keyword"}).status_code == 403
    )
    b = client_for(world.b.owner)
    assert b.get(TAGS).status_code == 404
    assert b.post(f"/w/longjing/contacts/tags/{tag.uid}/delete/").status_code == 404
    assert b.post(f"/w/longjing/contacts/tags/rules/{rule.uid}/toggle/").status_code == 404
    with world.a.scope():
        assert Tag.objects.filter(name="VIP").exists()


def test_auto_tag_rules_are_created_paused_resumed_and_deleted(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        tag = services.create_tag("Poster fans")
    operator = client_for(world.a.operator)
    operator.post(
        f"{TAGS}rules/", {"tag": str(tag.uid), "trigger": "qr_scene", "value": "poster42"}
    )
    needs_value = operator.post(
        f"{TAGS}rules/", {"tag": str(tag.uid), "trigger": "keyword", "value": ""}, follow=True
    )
    assert "This trigger needs a value." in needs_value.content.decode()
    operator.post(f"{TAGS}rules/", {"tag": str(tag.uid), "trigger": "group_join", "value": ""})
    with world.a.scope():
        rules = {r.trigger: r for r in queries.auto_tag_rules()}
        assert set(rules) == {"qr_scene", "group_join"}
        scene_rule = rules["qr_scene"]
    page = operator.get(TAGS).content.decode()
    assert "Scanned a QR code with scene" in page
    assert "any group" in page
    operator.post(f"{TAGS}rules/{scene_rule.uid}/toggle/")
    with world.a.scope():
        assert not AutoTagRule.objects.get(pk=scene_rule.pk).is_active
    assert "Resume" in operator.get(TAGS).content.decode()
    operator.post(f"{TAGS}rules/{scene_rule.uid}/toggle/")
    with world.a.scope():
        assert AutoTagRule.objects.get(pk=scene_rule.pk).is_active
    operator.post(f"{TAGS}rules/{scene_rule.uid}/delete/")
    with world.a.scope():
        assert list(AutoTagRule.objects.values_list("trigger", flat=True)) == ["group_join"]


def test_attribute_definitions_are_created_edited_and_reordered(world: World) -> None:
    operator = client_for(world.a.operator)
    operator.post(ATTRIBUTES, {"label": "City", "value_type": "text"})
    operator.post(
        ATTRIBUTES,
        {"label": "Skin type", "key": "skin", "value_type": "choice", "choices": "dry\noily"},
    )
    no_choices = operator.post(ATTRIBUTES, {"label": "Size", "value_type": "choice"})
    assert no_choices.status_code == 422
    assert "A choice attribute needs at least one choice." in no_choices.content.decode()
    with world.a.scope():
        assert [d.key for d in queries.attribute_definitions()] == ["city", "skin"]
        skin = AttributeDefinition.objects.get(key="skin")
    operator.post(f"{ATTRIBUTES}{skin.uid}/edit/", {"label": "Skin", "choices": "dry\noily\nmixed"})
    operator.post(f"{ATTRIBUTES}{skin.uid}/move/", {"to": "up"})
    with world.a.scope():
        assert [d.key for d in queries.attribute_definitions()] == ["skin", "city"]
        skin.refresh_from_db()
        assert (skin.label, skin.choices) == ("Skin", ["dry", "oily", "mixed"])
    viewer = client_for(world.a.viewer)
    page = viewer.get(ATTRIBUTES).content.decode()
    assert "dry, oily, mixed" in page
    assert "Add attribute" not in page
    assert viewer.post(ATTRIBUTES, {"label": "x", "value_type": "text"}).status_code == 403
    assert viewer.post(f"{ATTRIBUTES}{skin.uid}/move/", {"to": "down"}).status_code == 403
    assert client_for(world.b.owner).get(ATTRIBUTES).status_code == 404


def test_follower_import_starts_and_its_progress_is_polled(world: World) -> None:
    with world.a.scope(), as_owner(world.a):
        account = make_official_account()
    viewer = client_for(world.a.viewer)
    assert "Never imported" in viewer.get(SYNC).content.decode()
    assert viewer.post(f"{SYNC}start/", {"account": str(account.uid)}).status_code == 403
    operator = client_for(world.a.operator)
    assert operator.post(f"{SYNC}start/", {"account": str(account.uid)}).status_code == 302
    with world.a.scope():
        run = queries.sync_runs().get()
        run.total, run.imported = 400, 100
        run.save()
    page = operator.get(SYNC).content.decode()
    assert "Resume import" in page
    assert 'hx-trigger="every 2s"' in page
    progress = viewer.get(f"{SYNC}{run.uid}/", headers={"HX-Request": "true"}).content.decode()
    assert 'value="25"' in progress
    assert "100 of 400 followers" in progress
    with world.a.scope():
        run.status, run.error = "failed", "40001 invalid credential"
        run.save()
    failed = viewer.get(f"{SYNC}{run.uid}/").content.decode()
    assert "40001 invalid credential" in failed
    assert "every 2s" not in failed
    assert client_for(world.b.owner).get(f"/w/longjing/contacts/sync/{run.uid}/").status_code == 404
