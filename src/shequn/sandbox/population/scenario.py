"""Scenario files: who the simulated customers are and what they do, in TOML.

A scenario names its population (size, seed, attribute distributions), the official accounts,
WeCom corp, merchant and mini-program shop the customers meet, behaviour rates per simulated day
and how customers react to what the brand sends them. Files live in `scenarios/` at the repository
root (or `SHEQUN_SCENARIOS_DIR`); `load_scenario` accepts a name, a path or inline TOML.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DAY = 86_400.0

# Expected actions per eligible customer per simulated day.
BEHAVIOURS = (
    "scan_follow",  # scan a channel QR code of the account → subscribe with scene
    "follow",  # find the account by search → subscribe without scene
    "unfollow",
    "text",
    "voice",
    "image",
    "click_menu",
    "view_menu",
    "read_article",
    "share_article",
    "add_staff",  # scan a staff contact-way code (「联系我」)
    "remove_staff",
    "join_group",  # scan a group join-way code (「加入群聊」)
    "leave_group",
    "place_order",
)
LANGUAGES = ("zh_CN", "ja", "en")


class ScenarioError(ValueError):
    """The scenario file is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class Weighted:
    value: str
    weight: float
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Region:
    province: str
    city: str
    weight: float


@dataclass(frozen=True)
class AccountSpec:
    appid: str
    name: str
    kind: str  # service | subscription
    channels: tuple[Weighted, ...]  # QR scene strings with weights
    create: dict[str, Any]  # create_account fields when the sandbox lacks the account
    seed_qr: bool


@dataclass(frozen=True)
class WeComSpec:
    corpid: str
    contact_ways: tuple[Weighted, ...]  # value = userid; extra: state, config_id
    join_ways: tuple[str, ...]  # join-way config ids to scan spontaneously
    discover: bool  # also use the contact/join ways found in the sandbox's WeCom state
    create: dict[str, Any]  # corp fields (staff, callback_url...) when the sandbox lacks the corp


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    price_fen: int
    weight: float


@dataclass(frozen=True)
class Reactions:
    join_on_invite: float = 0.6
    join_delay_minutes: tuple[float, float] = (1.0, 90.0)
    add_staff_on_invite: float = 0.5
    add_staff_delay_minutes: tuple[float, float] = (1.0, 120.0)
    confirm_transfer: float = 0.85
    decline_transfer: float = 0.02
    confirm_delay_minutes: tuple[float, float] = (1.0, 240.0)
    followup_question: float = 0.3
    followup_delay_minutes: tuple[float, float] = (0.5, 20.0)
    watch_hours: float = 6.0  # how long a customer keeps looking at a new staff chat


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    seed: int
    size: int
    tick_seconds: float
    max_actions_per_tick: int
    gender: tuple[Weighted, ...]
    languages: tuple[Weighted, ...]
    regions: tuple[Region, ...]
    interests: dict[str, float]  # independent probabilities
    baby_share: float
    baby_within_months: float
    expecting_share: float  # of the baby share: due dates in the coming months
    accounts: tuple[AccountSpec, ...]
    wecom: WeComSpec | None
    mchid: str | None
    shop_appid: str | None
    products: tuple[Product, ...]
    behaviours: dict[str, float]
    reactions: Reactions
    topics: tuple[str, ...]
    source: str = ""


def scenarios_dir() -> Path:
    configured = os.environ.get("SHEQUN_SCENARIOS_DIR")
    if configured:
        return Path(configured)
    # src/shequn/sandbox/population/scenario.py → repository root
    return Path(__file__).resolve().parents[4] / "scenarios"


def available() -> list[str]:
    folder = scenarios_dir()
    return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []


def load_scenario(name_or_text: str) -> Scenario:
    """A scenario by file name (`demo-baby`), by path, or from inline TOML text."""
    text = name_or_text
    if "\n" not in name_or_text and "=" not in name_or_text:
        path = Path(name_or_text)
        if not path.suffix:
            path = scenarios_dir() / f"{name_or_text}.toml"
        if not path.is_file():
            raise ScenarioError(f"no scenario {name_or_text!r} (known: {', '.join(available())})")
        text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"scenario is not valid TOML: {exc}") from exc
    return parse_scenario(data, source=text)


def _weights(raw: Any, what: str) -> tuple[Weighted, ...]:
    if not isinstance(raw, dict) or not raw:
        raise ScenarioError(f"{what} must be a table of weights")
    out = []
    for key, weight in raw.items():
        if not isinstance(weight, int | float) or weight < 0:
            raise ScenarioError(f"{what}.{key} must be a non-negative number")
        out.append(Weighted(str(key), float(weight)))
    if sum(w.weight for w in out) <= 0:
        raise ScenarioError(f"{what} weights must not all be zero")
    return tuple(out)


def _range(raw: Any, default: tuple[float, float], what: str) -> tuple[float, float]:
    if raw is None:
        return default
    if not (isinstance(raw, list) and len(raw) == 2 and 0 <= raw[0] <= raw[1]):
        raise ScenarioError(f"{what} must be [low, high] with 0 <= low <= high")
    return (float(raw[0]), float(raw[1]))


def _probability(raw: Any, default: float, what: str) -> float:
    value = default if raw is None else raw
    if not isinstance(value, int | float) or not 0 <= value <= 1:
        raise ScenarioError(f"{what} must be between 0 and 1")
    return float(value)


def _accounts(raw: Any) -> tuple[AccountSpec, ...]:
    out = []
    for i, acct in enumerate(raw or []):
        if not isinstance(acct, dict) or not acct.get("appid"):
            raise ScenarioError(f"accounts[{i}] needs an appid")
        kind = acct.get("kind", "service")
        if kind not in ("service", "subscription"):
            raise ScenarioError(f"accounts[{i}].kind must be service or subscription")
        channels = tuple(
            Weighted(str(c["scene"]), float(c.get("weight", 1.0))) for c in acct.get("channels", [])
        )
        if any(not 1 <= len(c.value) <= 64 for c in channels):
            raise ScenarioError(f"accounts[{i}].channels: scene strings are 1..64 characters")
        create = dict(acct.get("create", {}))
        create.setdefault("appid", acct["appid"])
        create.setdefault("name", acct.get("name", acct["appid"]))
        create.setdefault("kind", kind)
        out.append(
            AccountSpec(
                appid=str(acct["appid"]),
                name=str(acct.get("name", acct["appid"])),
                kind=kind,
                channels=channels,
                create=create,
                seed_qr=bool(acct.get("seed_qr", False)),
            )
        )
    return tuple(out)


def _wecom(raw: Any) -> WeComSpec | None:
    if not raw:
        return None
    if not raw.get("corpid"):
        raise ScenarioError("wecom needs a corpid")
    ways = []
    for i, way in enumerate(raw.get("contact_ways", [])):
        if not way.get("userid"):
            raise ScenarioError(f"wecom.contact_ways[{i}] needs a userid")
        state = str(way.get("state", ""))
        if len(state) > 30:
            raise ScenarioError(f"wecom.contact_ways[{i}].state is over 30 characters")
        ways.append(
            Weighted(
                str(way["userid"]),
                float(way.get("weight", 1.0)),
                {"state": state or None, "config_id": way.get("config_id")},
            )
        )
    return WeComSpec(
        corpid=str(raw["corpid"]),
        contact_ways=tuple(ways),
        join_ways=tuple(str(c) for c in raw.get("join_ways", [])),
        discover=bool(raw.get("discover", True)),
        create=dict(raw.get("create") or {}),
    )


def _reactions(raw: dict[str, Any]) -> Reactions:
    d = Reactions()
    return Reactions(
        join_on_invite=_probability(raw.get("join_on_invite"), d.join_on_invite, "join_on_invite"),
        join_delay_minutes=_range(
            raw.get("join_delay_minutes"), d.join_delay_minutes, "join_delay_minutes"
        ),
        add_staff_on_invite=_probability(
            raw.get("add_staff_on_invite"), d.add_staff_on_invite, "add_staff_on_invite"
        ),
        add_staff_delay_minutes=_range(
            raw.get("add_staff_delay_minutes"), d.add_staff_delay_minutes, "add_staff_delay"
        ),
        confirm_transfer=_probability(
            raw.get("confirm_transfer"), d.confirm_transfer, "confirm_transfer"
        ),
        decline_transfer=_probability(
            raw.get("decline_transfer"), d.decline_transfer, "decline_transfer"
        ),
        confirm_delay_minutes=_range(
            raw.get("confirm_delay_minutes"), d.confirm_delay_minutes, "confirm_delay_minutes"
        ),
        followup_question=_probability(
            raw.get("followup_question"), d.followup_question, "followup_question"
        ),
        followup_delay_minutes=_range(
            raw.get("followup_delay_minutes"), d.followup_delay_minutes, "followup_delay"
        ),
        watch_hours=float(raw.get("watch_hours", d.watch_hours)),
    )


def parse_scenario(data: dict[str, Any], *, source: str = "") -> Scenario:
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise ScenarioError("a scenario needs a name")
    size = data.get("size")
    if not isinstance(size, int) or not 1 <= size <= 1_000_000:
        raise ScenarioError("size must be an integer between 1 and 1,000,000")
    tick = float(data.get("tick_seconds", 3600))
    if not 1 <= tick <= DAY:
        raise ScenarioError("tick_seconds must be between 1 and 86400")
    behaviours = {k: float(v) for k, v in (data.get("behaviours") or {}).items()}
    unknown = set(behaviours) - set(BEHAVIOURS)
    if unknown:
        raise ScenarioError(f"unknown behaviours {sorted(unknown)}; known: {', '.join(BEHAVIOURS)}")
    if any(v < 0 for v in behaviours.values()):
        raise ScenarioError("behaviour rates must be >= 0 (actions per customer per day)")
    languages = _weights(data.get("language", {"zh_CN": 1}), "language")
    if any(w.value not in LANGUAGES for w in languages):
        raise ScenarioError(f"language keys must be among {LANGUAGES}")
    gender = _weights(data.get("gender", {"female": 1, "male": 1}), "gender")
    if any(w.value not in ("male", "female", "unknown") for w in gender):
        raise ScenarioError("gender keys are male, female, unknown")
    regions = tuple(
        Region(str(r["province"]), str(r.get("city", r["province"])), float(r.get("weight", 1)))
        for r in data.get("regions", [{"province": "上海", "city": "上海"}])
    )
    baby = data.get("baby") or {}
    shop = data.get("shop") or {}
    products = tuple(
        Product(str(p["sku"]), str(p["name"]), int(p["price_fen"]), float(p.get("weight", 1)))
        for p in shop.get("products", [])
    )
    if shop.get("appid") and not products:
        raise ScenarioError("shop needs at least one product")
    max_actions = int(data.get("max_actions_per_tick", 500))
    if max_actions < 1:
        raise ScenarioError("max_actions_per_tick must be at least 1")
    return Scenario(
        name=name,
        description=str(data.get("description", "")),
        seed=int(data.get("seed", 1)),
        size=size,
        tick_seconds=tick,
        max_actions_per_tick=max_actions,
        gender=gender,
        languages=languages,
        regions=regions,
        interests={
            str(k): _probability(v, 0, f"interests.{k}")
            for k, v in (data.get("interests") or {}).items()
        },
        baby_share=_probability(baby.get("share"), 0.0, "baby.share"),
        baby_within_months=float(baby.get("born_within_months", 24)),
        expecting_share=_probability(baby.get("expecting_share"), 0.0, "baby.expecting_share"),
        accounts=_accounts(data.get("accounts")),
        wecom=_wecom(data.get("wecom")),
        mchid=str((data.get("pay") or {}).get("mchid") or "") or None,
        shop_appid=str(shop.get("appid") or "") or None,
        products=products,
        behaviours=behaviours,
        reactions=_reactions(data.get("reactions") or {}),
        topics=tuple(data.get("topics", ("products", "delivery", "coupons"))),
        source=source,
    )
