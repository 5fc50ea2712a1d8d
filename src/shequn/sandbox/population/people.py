"""Simulated customers: one person with an identity on every platform the scenario names.

A person has one unionid, an openid per official account, an openid for the mini-program shop
and an external_userid for the WeCom corp, all drawn from the scenario's seeded generator so the
same seed spawns the same people. Persons are stored as ("population_person", scenario, cid).
"""

from __future__ import annotations

import random
import string
from dataclasses import asdict, dataclass, field
from typing import Any

from shequn.sandbox.population import corpus
from shequn.sandbox.population.scenario import DAY, Scenario, Weighted

PERSON = "population_person"
_URLSAFE = string.ascii_letters + string.digits + "-_"
_SEX = {"male": 1, "female": 2, "unknown": 0}
MONTH = 30.44 * DAY


@dataclass
class Person:
    cid: str
    nickname: str
    sex: int
    language: str
    province: str
    city: str
    baby_birth: float | None
    interests: list[str]
    unionid: str
    openids: dict[str, str]  # appid → openid
    shop_openid: str
    external_userid: str
    following: dict[str, bool] = field(default_factory=dict)
    staff: list[str] = field(default_factory=list)  # WeCom userids this person added
    groups: list[str] = field(default_factory=list)  # chat_ids this person is in
    orders: int = 0
    asked_at: float | None = None  # last question, so a reply can prompt a follow-up

    def doc(self, scenario: str) -> dict[str, Any]:
        return {"scenario": scenario, **asdict(self)}

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> Person:
        fields = {k: v for k, v in doc.items() if k in cls.__dataclass_fields__}
        return cls(**fields)

    def baby_months(self, now: float) -> int | None:
        if self.baby_birth is None or self.baby_birth > now:
            return None
        return int((now - self.baby_birth) // MONTH)

    def topic(self, rng: random.Random, now: float, topics: tuple[str, ...]) -> str:
        if self.baby_birth is not None:
            if self.baby_birth > now:
                return "expecting"
            if rng.random() < 0.6:
                return "baby"
        return rng.choice(topics) if topics else "products"


def pick(rng: random.Random, options: tuple[Weighted, ...]) -> Weighted:
    return rng.choices(options, weights=[o.weight for o in options], k=1)[0]


def _token(rng: random.Random, prefix: str, n: int) -> str:
    return prefix + "".join(rng.choice(_URLSAFE) for _ in range(n))


def spawn(scenario: Scenario, now: float) -> list[Person]:
    """The scenario's people; the same scenario and seed always give the same people."""
    rng = random.Random(f"{scenario.seed}:people")
    regions = scenario.regions
    region_weights = [r.weight for r in regions]
    people = []
    for n in range(scenario.size):
        language = pick(rng, scenario.languages).value
        region = rng.choices(regions, weights=region_weights, k=1)[0]
        baby_birth: float | None = None
        if rng.random() < scenario.baby_share:
            if rng.random() < scenario.expecting_share:
                baby_birth = now + rng.uniform(0.0, 4.0) * MONTH
            else:
                baby_birth = now - rng.uniform(0.0, scenario.baby_within_months) * MONTH
        interests = [k for k, p in sorted(scenario.interests.items()) if rng.random() < p]
        people.append(
            Person(
                cid=f"c{n + 1:06d}",
                nickname=corpus.nickname(rng, language),
                sex=_SEX[pick(rng, scenario.gender).value],
                language=language,
                province=region.province,
                city=region.city,
                baby_birth=baby_birth,
                interests=interests,
                unionid=_token(rng, "o", 27),
                openids={a.appid: _token(rng, "o", 27) for a in scenario.accounts},
                shop_openid=_token(rng, "o", 27),
                external_userid=_token(rng, "wm", 30),
                following={a.appid: False for a in scenario.accounts},
            )
        )
    return people
