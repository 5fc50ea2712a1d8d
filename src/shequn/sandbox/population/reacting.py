"""How simulated customers react to what they receive, after a human-looking delay.

A group join-way code or link → join the group (probability `join_on_invite`); a staff
contact-way code → add the staff account; a reply to a question → sometimes a follow-up
question; a transfer bill waiting for them → confirm (or, rarely, decline) it. Reactions wait in
a heap ordered by due time and sequence number, so their order is repeatable.
"""

from __future__ import annotations

import heapq
import logging
import random
from dataclasses import dataclass, field
from typing import Any

from shequn.sandbox.context import Sandbox
from shequn.sandbox.officialaccount.inbound import CustomerActionError
from shequn.sandbox.officialaccount.received import RECEIVED
from shequn.sandbox.population import lookups, platforms
from shequn.sandbox.population.behaviours import Actor
from shequn.sandbox.population.corpus import followup
from shequn.sandbox.population.invites import Invite, find_invites
from shequn.sandbox.population.people import Person
from shequn.sandbox.population.scenario import Scenario

logger = logging.getLogger(__name__)

EXPECTED_ERRORS = (
    CustomerActionError,
    platforms.PlatformMissingError,
    ValueError,
    KeyError,
    LookupError,
)
MAX_WATCHED = 300  # WeCom chats looked at per tick


@dataclass(order=True)
class Reaction:
    due: float
    seq: int
    action: str = field(compare=False)
    cid: str = field(compare=False)
    payload: dict[str, Any] = field(compare=False, default_factory=dict)


class ReactingMixin:
    sandbox: Sandbox
    scenario: Scenario
    rng: random.Random
    actor: Actor
    by_cid: dict[str, Person]
    by_openid: dict[str, Person]
    _reactions: list[Reaction]
    _seq: int
    _received_since: dict[str, int]
    _watch: dict[str, float]
    _wecom_seen: dict[str, int]
    _bills_seen: set[str]
    _dirty: set[str]

    def _log(self, action: str, cid: str, target: str, ok: bool, note: str) -> None:
        raise NotImplementedError

    def _schedule(
        self, action: str, person: Person, minutes: tuple[float, float], **payload: Any
    ) -> None:
        self._seq += 1
        due = self.sandbox.now() + self.rng.uniform(*minutes) * 60
        heapq.heappush(self._reactions, Reaction(due, self._seq, action, person.cid, payload))

    def _due_reactions(self, until: float, limit: int) -> list[Reaction]:
        due: list[Reaction] = []
        while self._reactions and self._reactions[0].due <= until and len(due) < limit:
            due.append(heapq.heappop(self._reactions))
        return due

    async def _react(self, reaction: Reaction) -> None:
        person = self.by_cid[reaction.cid]
        p = reaction.payload
        actor = self.actor
        name = f"{reaction.action}"
        try:
            if reaction.action == "join_on_invite":
                note = await actor.join_group(person, p["config_id"], join_scene=p["join_scene"])
            elif reaction.action == "add_staff_on_invite":
                note = await actor.add_staff(person, Invite("staff", **p))
            elif reaction.action == "followup":
                note = await actor.text(person, p["appid"], p["content"])
            elif reaction.action == "confirm_transfer":
                note = await actor.confirm_transfer(p["out_bill_no"])
            else:
                note = await actor.decline_transfer(p["out_bill_no"])
        except EXPECTED_ERRORS as exc:
            self._log(name, person.cid, "", False, str(exc)[:200])
            return
        except Exception as exc:  # one customer must not stop thousands
            logger.warning("sandbox.population.reaction_error", exc_info=True)
            self._log(name, person.cid, "", False, f"error: {exc.__class__.__name__}")
            return
        self._dirty.add(person.cid)
        if reaction.action == "add_staff_on_invite":
            self._watch[person.cid] = (
                self.sandbox.now() + self.scenario.reactions.watch_hours * 3600
            )
        self._log(name, person.cid, "", True, note)

    def _consider(self, person: Person, message: Any, *, via: str, appid: str | None) -> None:
        r = self.scenario.reactions
        for invite in find_invites(message, self.actor.seen.codes):
            if invite.kind == "join" and not person.groups:
                if self.rng.random() < r.join_on_invite:
                    scene = 2 if via == "link" else 3
                    self._schedule(
                        "join_on_invite",
                        person,
                        r.join_delay_minutes,
                        config_id=invite.config_id,
                        join_scene=scene,
                    )
            elif (
                invite.kind == "staff"
                and invite.userid
                and invite.userid not in person.staff
                and self.rng.random() < r.add_staff_on_invite
            ):
                self._schedule(
                    "add_staff_on_invite",
                    person,
                    r.add_staff_delay_minutes,
                    config_id=invite.config_id,
                    userid=invite.userid,
                    state=invite.state,
                )
        asked = person.asked_at
        if appid and via in ("passive", "custom") and asked is not None:
            person.asked_at = None
            if self.sandbox.now() - asked < 3600 and self.rng.random() < r.followup_question:
                content = followup(self.rng, person.language)
                self._schedule(
                    "followup", person, r.followup_delay_minutes, appid=appid, content=content
                )

    def _observe_official_accounts(self) -> None:
        store = self.sandbox.store
        for spec in self.scenario.accounts:
            since = self._received_since.get(spec.appid, 0)
            entries = store.entries(RECEIVED, spec.appid, since_id=since, limit=20_000)
            for entry in entries:
                person = self.by_openid.get(entry["openid"])
                if person is not None:
                    self._consider(person, entry.get("message"), via=entry["via"], appid=spec.appid)
            if entries:
                self._received_since[spec.appid] = entries[-1]["id"]

    async def _observe_wecom(self) -> None:
        wecom = self.scenario.wecom
        if wecom is None or not self._watch:
            return
        now = self.sandbox.now()
        for cid in sorted(self._watch)[:MAX_WATCHED]:
            if self._watch[cid] < now:
                del self._watch[cid]
                continue
            person = self.by_cid[cid]
            try:
                messages = await platforms.wecom_received(
                    self.sandbox, wecom.corpid, person.external_userid
                )
            except EXPECTED_ERRORS:
                continue
            seen = self._wecom_seen.get(cid, 0)
            for message in messages[seen:]:
                self._consider(person, message, via="wecom", appid=None)
            self._wecom_seen[cid] = len(messages)

    def _observe_bills(self) -> None:
        mchid = self.scenario.mchid
        if not mchid:
            return
        r = self.scenario.reactions
        for bill in lookups.waiting_bills(self.sandbox, mchid):
            number = bill["out_bill_no"]
            person = self.by_openid.get(bill.get("openid") or "")
            if person is None or number in self._bills_seen:
                continue
            self._bills_seen.add(number)
            roll = self.rng.random()
            if roll < r.confirm_transfer:
                self._schedule(
                    "confirm_transfer", person, r.confirm_delay_minutes, out_bill_no=number
                )
            elif roll < r.confirm_transfer + r.decline_transfer:
                self._schedule(
                    "decline_transfer", person, r.confirm_delay_minutes, out_bill_no=number
                )
