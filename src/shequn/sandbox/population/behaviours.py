"""One simulated customer doing one thing, through the same customer actions a person would
trigger in WeChat: push_user_message for official accounts, the WeCom / Pay / shop actions.

Each function returns a short note for the action log, or raises (CustomerActionError,
PlatformMissingError, ValueError, KeyError) when the action is impossible right now.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.officialaccount.drafts import PUBLISH
from shequn.sandbox.officialaccount.inbound import QRCODE, push_user_message
from shequn.sandbox.officialaccount.menus import MENU
from shequn.sandbox.population import corpus, platforms
from shequn.sandbox.population.conversation import record_sent
from shequn.sandbox.population.invites import Invite, KnownCodes
from shequn.sandbox.population.people import Person, pick
from shequn.sandbox.population.scenario import Scenario

READ = "population_read"


@dataclass
class Surroundings:
    """What customers can find this tick: menus, articles, QR codes and WeCom codes."""

    click_buttons: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    view_buttons: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    articles: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)
    scenes: dict[str, list[str]] = field(default_factory=dict)  # appid → live QR scene values
    codes: KnownCodes = field(default_factory=KnownCodes)


def _buttons(menu: dict[str, Any] | None) -> list[dict[str, Any]]:
    flat: list[dict[str, Any]] = []
    for button in (menu or {}).get("button", []):
        flat.extend(button.get("sub_button") or [button])
    return flat


def look_around(sandbox: Sandbox, scenario: Scenario, codes: KnownCodes) -> Surroundings:
    store = sandbox.store
    now = sandbox.now()
    seen = Surroundings(codes=codes)
    for account in scenario.accounts:
        appid = account.appid
        buttons = _buttons(store.get(MENU, appid, "default"))
        seen.click_buttons[appid] = [b for b in buttons if b.get("type") == "click"]
        seen.view_buttons[appid] = [b for b in buttons if b.get("type") == "view"]
        pubs = store.list(PUBLISH, appid, newest_first=True, limit=20)
        seen.articles[appid] = [
            (p["article_id"], i, url)
            for p in pubs
            if p.get("finish_at", 0) <= now and "all" not in p.get("deleted", [])
            for i, url in enumerate(p.get("urls", []), start=1)
        ]
        live: list[str] = []
        for qr in store.list(QRCODE, appid, limit=500):
            if qr.get("expire_at") and qr["expire_at"] <= now:
                continue
            live.append(str(qr.get("scene_str") or qr.get("scene_id")))
        seen.scenes[appid] = live
    return seen


class Actor:
    def __init__(self, sandbox: Sandbox, scenario: Scenario, rng: random.Random) -> None:
        self.sandbox = sandbox
        self.scenario = scenario
        self.rng = rng
        self.seen = Surroundings()

    # official accounts ---------------------------------------------------------------------

    def _push(self, person: Person, appid: str, kind: str, **fields: Any) -> int:
        return push_user_message(self.sandbox, appid, person.openids[appid], kind, **fields)

    def _scene_for(self, appid: str) -> str | None:
        live = self.seen.scenes.get(appid) or []
        spec = next(a for a in self.scenario.accounts if a.appid == appid)
        channels = tuple(c for c in spec.channels if c.value in live)
        if channels:
            return pick(self.rng, channels).value
        return self.rng.choice(sorted(live)) if live else None

    async def scan_follow(self, person: Person, appid: str) -> str:
        scene = self._scene_for(appid)
        if scene is None:
            raise ValueError("no live channel QR code to scan")
        self._push(person, appid, "follow", scene=scene)
        person.following[appid] = True
        return f"scene={scene}"

    async def follow(self, person: Person, appid: str) -> str:
        self._push(person, appid, "follow")
        person.following[appid] = True
        return "search"

    async def unfollow(self, person: Person, appid: str) -> str:
        self._push(person, appid, "unfollow")
        person.following[appid] = False
        return ""

    def _question(self, person: Person) -> str:
        now = self.sandbox.now()
        topic = person.topic(self.rng, now, self.scenario.topics)
        return corpus.sentence(self.rng, topic, person.language, person.baby_months(now))

    async def text(self, person: Person, appid: str, content: str | None = None) -> str:
        content = content or self._question(person)
        self._push(person, appid, "text", content=content)
        record_sent(self.sandbox, appid, person.openids[appid], "text", content)
        person.asked_at = self.sandbox.now()
        return content

    async def voice(self, person: Person, appid: str) -> str:
        content = self._question(person)
        self._push(person, appid, "voice", content=content)
        record_sent(self.sandbox, appid, person.openids[appid], "voice", content)
        person.asked_at = self.sandbox.now()
        return content

    async def image(self, person: Person, appid: str) -> str:
        self._push(person, appid, "image")
        record_sent(self.sandbox, appid, person.openids[appid], "image", "[图片]")
        return ""

    async def click_menu(self, person: Person, appid: str) -> str:
        button = self.rng.choice(self.seen.click_buttons[appid])
        self._push(person, appid, "click", event_key=button["key"])
        return str(button["key"])

    async def view_menu(self, person: Person, appid: str) -> str:
        button = self.rng.choice(self.seen.view_buttons[appid])
        self._push(person, appid, "view", url=button["url"])
        return str(button["url"])

    async def read_article(self, person: Person, appid: str, *, share: bool = False) -> str:
        article_id, idx, url = self.rng.choice(self.seen.articles[appid])
        # Reading sends no callback in WeChat; the read is kept for the population's own stats.
        self.sandbox.store.append(
            READ,
            appid,
            self.sandbox.now(),
            {"openid": person.openids[appid], "article_id": article_id, "idx": idx, "share": share},
        )
        return url

    async def share_article(self, person: Person, appid: str) -> str:
        return await self.read_article(person, appid, share=True)

    def _corpid(self) -> str:
        if self.scenario.wecom is None:
            raise ValueError("no WeCom corp in this scenario")
        return self.scenario.wecom.corpid

    def _mchid(self) -> str:
        if not self.scenario.mchid:
            raise ValueError("no merchant in this scenario")
        return self.scenario.mchid

    # WeCom ---------------------------------------------------------------------------------

    def contact_way(self) -> Invite | None:
        """A staff code to scan: the brand's real codes first, the scenario's fallback ways next."""
        wecom = self.scenario.wecom
        if wecom is None:
            return None
        found = self.seen.codes.contact_ways() if wecom.discover else []
        if found:
            return self.rng.choice(found)
        if not wecom.contact_ways:
            return None
        way = pick(self.rng, wecom.contact_ways)
        config_id = str(way.extra.get("config_id") or "")
        return Invite("staff", config_id, way.value, way.extra.get("state"))

    def join_way(self) -> str | None:
        wecom = self.scenario.wecom
        if wecom is None:
            return None
        ways = list(wecom.join_ways)
        if not ways and wecom.discover:
            ways = [i.config_id for i in self.seen.codes.join_ways()]
        return self.rng.choice(ways) if ways else None

    async def add_staff(self, person: Person, invite: Invite | None = None) -> str:
        wecom = self.scenario.wecom
        invite = invite or self.contact_way()
        if wecom is None or invite is None or not invite.userid:
            raise ValueError("no staff contact way to scan")
        if invite.userid in person.staff:
            raise ValueError("already added this staff account")
        answer = await platforms.add_staff(
            self.sandbox,
            wecom.corpid,
            userid=invite.userid,
            external_userid=person.external_userid,
            unionid=person.unionid,
            name=person.nickname,
            state=invite.state,
            config_id=invite.config_id or None,
        )
        person.external_userid = str(answer.get("external_userid") or person.external_userid)
        person.staff.append(invite.userid)
        return invite.userid

    async def remove_staff(self, person: Person) -> str:
        userid = self.rng.choice(person.staff)
        await platforms.remove_staff(
            self.sandbox,
            self._corpid(),
            userid=userid,
            external_userid=person.external_userid,
        )
        person.staff.remove(userid)
        return userid

    async def join_group(
        self, person: Person, config_id: str | None = None, *, join_scene: int = 3
    ) -> str:
        wecom = self.scenario.wecom
        config_id = config_id or self.join_way()
        if wecom is None or config_id is None:
            raise ValueError("no group join code to scan")
        answer = await platforms.join_group(
            self.sandbox,
            wecom.corpid,
            external_userid=person.external_userid,
            join_way_config_id=config_id,
            join_scene=join_scene,
        )
        chat_id = str(answer["chat_id"])
        if chat_id not in person.groups:
            person.groups.append(chat_id)
        return chat_id

    async def leave_group(self, person: Person) -> str:
        chat_id = self.rng.choice(person.groups)
        await platforms.leave_group(
            self.sandbox,
            self._corpid(),
            external_userid=person.external_userid,
            chat_id=chat_id,
        )
        person.groups.remove(chat_id)
        return chat_id

    # shop and pay --------------------------------------------------------------------------

    async def place_order(self, person: Person) -> str:
        sc = self.scenario
        if not sc.shop_appid or not sc.products:
            raise ValueError("no shop in this scenario")
        count = self.rng.choice((1, 1, 1, 2, 3))
        chosen = self.rng.choices(sc.products, weights=[p.weight for p in sc.products], k=count)
        items = [
            {"sku": p.sku, "name": p.name, "price_fen": p.price_fen, "quantity": 1} for p in chosen
        ]
        amount = sum(p.price_fen for p in chosen)
        await platforms.place_order(
            self.sandbox,
            sc.shop_appid,
            openid=person.shop_openid,
            unionid=person.unionid,
            items=items,
            amount_fen=amount,
        )
        person.orders += 1
        return f"{amount} fen"

    async def confirm_transfer(self, out_bill_no: str) -> str:
        await platforms.confirm_transfer(self.sandbox, self._mchid(), out_bill_no=out_bill_no)
        return out_bill_no

    async def decline_transfer(self, out_bill_no: str) -> str:
        await platforms.decline_transfer(self.sandbox, self._mchid(), out_bill_no=out_bill_no)
        return out_bill_no
