"""Connect the demo workspaces to their sandboxes, as an operator would connect real WeChat.

Each brand has a sandbox of its own (its scenario names the accounts and the WeCom corp). The
credentials are derived from the ids, so running the demo again finds everything in place.
The sandbox is reached over HTTP only: the product never imports it.
"""

from __future__ import annotations

import hashlib
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from shequn.channels import queries as channel_queries
from shequn.channels import services as channel_services
from shequn.core.actors import acting_as, system_actor
from shequn.tenancy.models import Workspace
from shequn.tenancy.scope import tenant_scope


@dataclass(frozen=True)
class Brand:
    workspace_slug: str
    scenario: str
    sandbox_url: str


def scenarios_dir() -> Path:
    configured = os.environ.get("SHEQUN_SCENARIOS_DIR")
    return Path(configured) if configured else Path(__file__).resolve().parents[3] / "scenarios"


def _derived(kind: str, ident: str, length: int) -> str:
    # Demo credentials only: stable across runs, different per account.
    return hashlib.sha256(f"shequn-demo:{kind}:{ident}".encode()).hexdigest()[:length]


def _aes_key(ident: str) -> str:
    digest = hashlib.sha256(f"shequn-demo:aes:{ident}".encode()).digest()
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(alphabet[b % len(alphabet)] for b in (digest + digest)[:43])


def _control(client: httpx.Client, method: str, path: str, **kwargs: Any) -> httpx.Response:
    response = client.request(method, f"/sandbox{path}", **kwargs)
    if response.status_code >= 400 and response.status_code != 404:
        raise RuntimeError(f"sandbox {method} {path}: {response.status_code} {response.text[:200]}")
    return response


def connect_brand(brand: Brand, console_url: str, *, campaigns: bool = False) -> dict[str, Any]:
    """Connect the brand's channels; with `campaigns`, also set up its acquisition story
    (`demo_campaigns.py`: needs the worker running, since WeCom's callbacks bring the group in)."""
    scenario = tomllib.loads((scenarios_dir() / f"{brand.scenario}.toml").read_text("utf-8"))
    workspace = Workspace.objects.get(slug=brand.workspace_slug)
    summary: dict[str, Any] = {"accounts": [], "corp": None}
    with (
        httpx.Client(base_url=brand.sandbox_url, timeout=30) as client,
        tenant_scope(workspace),
        acting_as(system_actor("demo.setup")),
    ):
        for account in scenario.get("accounts", []):
            summary["accounts"].append(_connect_account(client, account, console_url))
        if "wecom" in scenario:
            summary["corp"] = _connect_corp(client, scenario["wecom"], console_url)
            if campaigns:
                from shequn.runtime.demo_campaigns import set_up

                corpid = scenario["wecom"]["corpid"]
                corp = next(c for c in channel_queries.wecom_corps() if c.corpid == corpid)
                summary["campaigns"] = set_up(scenario, client, console_url, corp)
        # 409 means no scenario is loaded yet: load it, which spawns its customers (not started).
        if client.get("/sandbox/population/status").status_code == 409:
            _control(client, "POST", "/population/load", json={"scenario": brand.scenario})
    return summary


def _connect_account(client: httpx.Client, spec: dict[str, Any], console_url: str) -> str:
    appid = spec["appid"]
    existing = next(
        (a for a in channel_queries.official_accounts() if a.appid == appid),
        None,
    )
    credentials = {
        "secret": _derived("secret", appid, 32),
        "token": _derived("token", appid, 32),
        "encoding_aes_key": _aes_key(appid),
    }
    account = existing or channel_services.connect_official_account(
        name=spec["name"],
        appid=appid,
        account_kind=spec.get("kind", "service"),
        verified=True,
        encryption_mode="safe",
        api_base_url=str(client.base_url).rstrip("/"),
        original_id=f"gh_{_derived('gh', appid, 12)}",
        **credentials,
    )
    doc = {
        "appid": appid,
        "name": spec["name"],
        "kind": spec.get("kind", "service"),
        "verified": True,
        "encryption": "safe",
        "original_id": account.original_id,
        "callback_url": f"{console_url.rstrip('/')}/cb/oa/{account.callback_key}/",
        **credentials,
    }
    if _control(client, "GET", f"/accounts/{appid}").status_code == 404:
        _control(client, "POST", "/accounts", json=doc)
    else:
        _control(client, "PATCH", f"/accounts/{appid}", json={"callback_url": doc["callback_url"]})
    return str(spec["name"])


def _connect_corp(client: httpx.Client, spec: dict[str, Any], console_url: str) -> str:
    corpid = spec["corpid"]
    create = spec.get("create", {})
    existing = next((c for c in channel_queries.wecom_corps() if c.corpid == corpid), None)
    secret = _derived("contact-secret", corpid, 32)
    token = _derived("callback-token", corpid, 32)
    aes_key = _aes_key(corpid)
    corp = existing or channel_services.connect_wecom_corp(
        name=create.get("name", corpid),
        corpid=corpid,
        contact_secret=secret,
        callback_token=token,
        callback_aes_key=aes_key,
        api_base_url=f"{str(client.base_url).rstrip('/')}/qyapi",
    )
    callback_url = f"{console_url.rstrip('/')}/cb/wecom/{corp.callback_key}/"
    if _control(client, "GET", f"/wecom/corps/{corpid}").status_code == 404:
        _control(
            client,
            "POST",
            "/wecom/corps",
            json={
                "corpid": corpid,
                "secret": secret,
                "token": token,
                "encoding_aes_key": aes_key,
                "callback_url": callback_url,
                "staff": create.get("staff", []),
            },
        )
    return str(create.get("name", corpid))
