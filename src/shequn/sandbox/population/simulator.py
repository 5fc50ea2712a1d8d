"""The population simulator: spawns a scenario's customers and runs them on the sandbox clock.

Each tick covers `tick_seconds` of simulated time. For every behaviour the number of customers
acting is drawn from a Poisson distribution (eligible customers × rate per day × tick length) and
those customers are sampled with the scenario's seeded random.Random, so the same seed and the
same answers from Shequn give the same sequence of actions. Customers also react to what they
receive (join links, staff codes, replies, transfer bills) after a random delay. Work per tick is
capped by `max_actions_per_tick`; what is over the cap is counted as dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import random
from collections import Counter
from typing import Any

from shequn.sandbox import accounts
from shequn.sandbox.context import Sandbox
from shequn.sandbox.officialaccount.inbound import QRCODE
from shequn.sandbox.officialaccount.received import RECEIVED
from shequn.sandbox.population import lookups, platforms
from shequn.sandbox.population.behaviours import Actor, look_around
from shequn.sandbox.population.invites import Invite, KnownCodes
from shequn.sandbox.population.people import PERSON, Person, spawn
from shequn.sandbox.population.reacting import EXPECTED_ERRORS, ReactingMixin, Reaction
from shequn.sandbox.population.scenario import BEHAVIOURS, DAY, Scenario

logger = logging.getLogger(__name__)

LOG = "population"
STATUS_META = "population:status"
ACCOUNT_ACTIONS = (
    "scan_follow",
    "follow",
    "unfollow",
    "text",
    "voice",
    "image",
    "click_menu",
    "view_menu",
    "read_article",
    "share_article",
)
MAX_CATCHUP_TICKS = 24  # in run mode, ticks per wake-up before skipping ahead
POLL_SECONDS = 0.2


def poisson(rng: random.Random, lam: float) -> int:
    if lam <= 0:
        return 0
    if lam > 50:  # normal approximation keeps big populations cheap
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, product = math.exp(-lam), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


class Simulator(ReactingMixin):
    def __init__(self, sandbox: Sandbox, scenario: Scenario) -> None:
        self.sandbox = sandbox
        self.scenario = scenario
        self.rng = random.Random(f"{scenario.seed}:actions")
        self.actor = Actor(sandbox, scenario, self.rng)
        self.people: list[Person] = []
        self.by_cid: dict[str, Person] = {}
        self.by_openid: dict[str, Person] = {}
        self.sim_time = sandbox.now()
        self.ticks = 0
        self.counts: Counter[str] = Counter()
        self.failures: Counter[str] = Counter()
        self.dropped = 0
        self.skipped_seconds = 0.0
        self.state = "loaded"
        self._reactions: list[Reaction] = []
        self._seq = 0
        self._received_since: dict[str, int] = {}
        self._watch: dict[str, float] = {}  # cid → until (WeCom chat being looked at)
        self._wecom_seen: dict[str, int] = {}
        self._bills_seen: set[str] = set()
        self._dirty: set[str] = set()
        self._platforms: dict[str, bool] = {}
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    # setting the scene ---------------------------------------------------------------------

    def load(self) -> None:
        """Spawn the people as followers-to-be of every account (subscribe=0), once."""
        sandbox, sc = self.sandbox, self.scenario
        store = sandbox.store
        now = sandbox.now()
        with store.transaction():
            for spec in sc.accounts:
                if accounts.get_account(sandbox, spec.appid) is None:
                    accounts.create_account(sandbox, **spec.create)
                if spec.seed_qr:
                    self._seed_qr_codes(spec.appid, [c.value for c in spec.channels], now)
            wecom = sc.wecom
            if wecom is not None and wecom.create and platforms.available("wecom"):
                platforms.ensure_corp(sandbox, wecom.corpid, wecom.create)
            stored = {d["cid"]: d for d in store.list(PERSON, sc.name)}
            for person in spawn(sc, now):
                if person.cid in stored:
                    person = Person.from_doc(stored[person.cid])
                else:
                    store.put(PERSON, sc.name, person.cid, person.doc(sc.name))
                self._adopt(person)
                for appid, openid in person.openids.items():
                    existing = accounts.get_customer(sandbox, appid, openid)
                    if existing is None:
                        accounts.create_customer(
                            sandbox,
                            appid,
                            openid=openid,
                            unionid=person.unionid,
                            nickname=person.nickname,
                            sex=person.sex,
                            language=person.language,
                            province=person.province,
                            city=person.city,
                            country="中国",
                            subscribe=False,
                        )
                    person.following[appid] = bool(existing and existing["subscribe"] == 1)
        for spec in sc.accounts:
            last = store.entries(RECEIVED, spec.appid)
            self._received_since[spec.appid] = last[-1]["id"] if last else 0
        self._log("load", "", "", True, f"{len(self.people)} people")
        self._save_status()

    def _seed_qr_codes(self, appid: str, scenes: list[str], now: float) -> None:
        """Channel codes as if the brand had created them (for runs without Shequn)."""
        store = self.sandbox.store
        for n, scene in enumerate(scenes, start=1):
            if store.list(QRCODE, appid, where={"scene_str": scene}, limit=1):
                continue
            ticket = f"gQpopulation{appid}{n:04d}"
            store.put(
                QRCODE,
                appid,
                ticket,
                {
                    "permanent": True,
                    "scene_str": scene,
                    "expire_at": None,
                    "ticket": ticket,
                    "url": f"http://weixin.qq.com/q/population{n:04d}",
                    "created_at": now,
                },
            )

    def _adopt(self, person: Person) -> None:
        self.people.append(person)
        self.by_cid[person.cid] = person
        for openid in person.openids.values():
            self.by_openid[openid] = person
        self.by_openid[person.shop_openid] = person

    # ticks ---------------------------------------------------------------------------------

    async def step(self, ticks: int = 1) -> None:
        for _ in range(ticks):
            await self.tick(advance_clock=True)

    async def tick(self, *, advance_clock: bool = False) -> None:
        async with self._lock:
            await self._tick(advance_clock)

    async def _tick(self, advance_clock: bool) -> None:
        sc = self.scenario
        end = self.sim_time + sc.tick_seconds
        lag = end - self.sandbox.now()
        if advance_clock and lag > 0:
            self.sandbox.clock.advance(lag)
        self.ticks += 1
        codes = self._known_codes()
        self.actor.seen = look_around(self.sandbox, sc, codes)
        # Behaviours on platforms this sandbox build lacks are not attempted at all.
        self._platforms = {name: platforms.available(name) for name in ("wecom", "pay", "shop")}
        budget = sc.max_actions_per_tick
        for reaction in self._due_reactions(end, budget):
            await self._react(reaction)
            budget -= 1
        planned = self._plan(sc.tick_seconds)
        if len(planned) > budget:
            self.dropped += len(planned) - budget
            planned = planned[:budget]
        for action, person, target in planned:
            await self._act(action, person, target)
        await self.sandbox.callbacks.drain()
        self._observe_official_accounts()
        await self._observe_wecom()
        self._observe_bills()
        self.sim_time = end
        self._persist()

    def _known_codes(self) -> KnownCodes:
        wecom = self.scenario.wecom
        if wecom is None:
            return KnownCodes()
        known = lookups.known_codes(self.sandbox, wecom.corpid)
        for way in wecom.contact_ways:
            if way.extra.get("config_id"):
                invite = Invite("staff", str(way.extra["config_id"]), way.value, way.extra["state"])
                known.add(invite)
        for config_id in wecom.join_ways:
            if config_id not in known.by_key:
                known.add(Invite("join", config_id))
        return known

    def _pool(self, action: str) -> list[tuple[Person, str]]:
        sc, seen = self.scenario, self.actor.seen
        if action in ACCOUNT_ACTIONS:
            out = []
            for spec in sc.accounts:
                appid = spec.appid
                if action in ("scan_follow", "follow"):
                    if action == "scan_follow" and not seen.scenes.get(appid):
                        continue
                    out += [(p, appid) for p in self.people if not p.following.get(appid)]
                    continue
                if action == "click_menu" and not seen.click_buttons.get(appid):
                    continue
                if action == "view_menu" and not seen.view_buttons.get(appid):
                    continue
                if action in ("read_article", "share_article") and not seen.articles.get(appid):
                    continue
                out += [(p, appid) for p in self.people if p.following.get(appid)]
            return out
        if action == "place_order":
            if not sc.shop_appid or not self._platforms.get("shop"):
                return []
            return [(p, "") for p in self.people if p.staff or any(p.following.values())]
        if sc.wecom is None or not self._platforms.get("wecom"):
            return []
        if action == "add_staff":
            if not (sc.wecom.contact_ways or seen.codes.contact_ways()):
                return []
            return [(p, "") for p in self.people if not p.staff]
        if action == "remove_staff":
            return [(p, "") for p in self.people if p.staff]
        if action == "join_group":
            if not (sc.wecom.join_ways or seen.codes.join_ways()):
                return []
            # The WeCom sandbox knows a customer once they added a staff account.
            return [(p, "") for p in self.people if p.staff and not p.groups]
        if action == "leave_group":
            return [(p, "") for p in self.people if p.groups]
        return []

    def _plan(self, seconds: float) -> list[tuple[str, Person, str]]:
        planned: list[tuple[str, Person, str]] = []
        for action in BEHAVIOURS:
            rate = self.scenario.behaviours.get(action, 0.0)
            if rate <= 0:
                continue
            pool = self._pool(action)
            count = min(len(pool), poisson(self.rng, len(pool) * rate * seconds / DAY))
            planned += [(action, p, target) for p, target in self.rng.sample(pool, count)]
        self.rng.shuffle(planned)
        return planned

    @staticmethod
    def _still_eligible(action: str, person: Person, target: str) -> bool:
        """An earlier action this tick may have changed the person (followed, left a group)."""
        if action in ("scan_follow", "follow"):
            return not person.following.get(target)
        if action in ACCOUNT_ACTIONS:
            return bool(person.following.get(target))
        if action == "remove_staff":
            return bool(person.staff)
        if action == "leave_group":
            return bool(person.groups)
        if action == "join_group":
            return not person.groups
        return True

    async def _act(self, action: str, person: Person, target: str) -> None:
        if not self._still_eligible(action, person, target):
            return
        actor = self.actor
        try:
            if action in ACCOUNT_ACTIONS:
                note = await getattr(actor, action)(person, target)
            else:
                note = await getattr(actor, action)(person)
        except EXPECTED_ERRORS as exc:
            self._resync(person, action, target)
            self._log(action, person.cid, target, False, str(exc)[:200])
            return
        except Exception as exc:  # one customer must not stop thousands
            logger.warning("sandbox.population.action_error", exc_info=True)
            self._log(action, person.cid, target, False, f"error: {exc.__class__.__name__}")
            return
        self._dirty.add(person.cid)
        if action == "add_staff":
            self._watch[person.cid] = (
                self.sandbox.now() + self.scenario.reactions.watch_hours * 3600
            )
        self._log(action, person.cid, target, True, note)

    def _resync(self, person: Person, action: str, appid: str) -> None:
        """The phone page (or Shequn) may have changed a follower behind the simulator's back."""
        if action in ACCOUNT_ACTIONS and appid:
            customer = accounts.get_customer(self.sandbox, appid, person.openids[appid])
            if customer is not None:
                person.following[appid] = customer["subscribe"] == 1
                self._dirty.add(person.cid)

    # bookkeeping ---------------------------------------------------------------------------

    def _log(self, action: str, cid: str, target: str, ok: bool, note: str) -> None:
        (self.counts if ok else self.failures)[action] += 1
        self.sandbox.store.append(
            LOG,
            self.scenario.name,
            self.sandbox.now(),
            {
                "tick": self.ticks,
                "cid": cid,
                "action": action,
                "target": target,
                "ok": ok,
                "note": note,
            },
        )

    def _persist(self) -> None:
        store = self.sandbox.store
        with store.transaction():
            for cid in sorted(self._dirty):
                store.put(PERSON, self.scenario.name, cid, self.by_cid[cid].doc(self.scenario.name))
        self._dirty.clear()
        self._save_status()

    def _save_status(self) -> None:
        self.sandbox.store.meta_set(STATUS_META, self.status())

    def status(self) -> dict[str, Any]:
        people = self.people
        return {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "state": self.state,
            "ticks": self.ticks,
            "tick_seconds": self.scenario.tick_seconds,
            "sim_time": self.sim_time,
            "clock": {"now": self.sandbox.now(), "speed": self.sandbox.clock.speed},
            "people": len(people),
            "following": sum(1 for p in people if any(p.following.values())),
            "with_staff": sum(1 for p in people if p.staff),
            "in_groups": sum(1 for p in people if p.groups),
            "orders": sum(p.orders for p in people),
            "counts": dict(sorted(self.counts.items())),
            "failures": dict(sorted(self.failures.items())),
            "dropped": self.dropped,
            "skipped_seconds": self.skipped_seconds,
            "pending_reactions": len(self._reactions),
            "platforms": {name: platforms.available(name) for name in ("wecom", "pay", "shop")},
        }

    # running on the clock ------------------------------------------------------------------

    def start(self) -> None:
        if self._task is not None:
            return
        if self.state == "paused":
            # Time that passed while paused is skipped rather than simulated in one burst.
            gap = max(0.0, self.sandbox.now() - self.sim_time)
            self.skipped_seconds += gap
            self.sim_time += gap
        self.state = "running"
        self._task = asyncio.get_running_loop().create_task(self._run(), name="sandbox-population")
        self._save_status()

    async def pause(self, state: str = "paused") -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.state = state
        self._save_status()

    async def stop(self) -> None:
        await self.pause("stopped")

    async def _run(self) -> None:
        while True:
            ran = 0
            while self.sandbox.now() >= self.sim_time + self.scenario.tick_seconds:
                if ran >= MAX_CATCHUP_TICKS:
                    behind = self.sandbox.now() - self.sim_time
                    self.skipped_seconds += behind
                    self.sim_time += behind
                    break
                try:
                    await self.tick()
                except Exception:  # the loop must outlive one bad tick
                    logger.exception("sandbox.population.tick_error")
                    self.sim_time += self.scenario.tick_seconds
                ran += 1
                await asyncio.sleep(0)
            await asyncio.sleep(POLL_SECONDS)


def simulator_of(sandbox: Sandbox) -> Simulator | None:
    sim = sandbox.extras.get("population")
    return sim if isinstance(sim, Simulator) else None
