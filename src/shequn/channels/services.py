"""Writes on channels (audited; secret values never reach logs, audit data or answers) and the
factories of platform clients configured from a channel."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shequn.audit.services import record
from shequn.channels.models import Channel, OfficialAccount, PayMerchant, WeComCorp
from shequn.channels.token_store import token_store_for
from shequn.core.logging import get_logger
from shequn.core.secrets import Secret
from shequn.tenancy.scope import require_tenant
from shequn.wechat.crypto import decode_encoding_aes_key
from shequn.wechat.errors import TransportError
from shequn.wechat.exceptions import ConfigurationError, WeChatError
from shequn.wechat.officialaccount import SyncOfficialAccountClient
from shequn.wechat.pay import PayClient, PlatformKeys, ResponseVerifier, SyncTransferClient
from shequn.wechat.pay.errors import PayError, PayTransportError
from shequn.wechat.wecom.client import SyncWeComClient

log = get_logger(__name__)

SECRET_FIELDS: dict[type[Channel], frozenset[str]] = {
    OfficialAccount: frozenset(
        {"secret", "token", "encoding_aes_key", "previous_encoding_aes_key"}
    ),
    WeComCorp: frozenset(
        {"contact_secret", "callback_token", "callback_aes_key", "previous_callback_aes_key"}
    ),
    PayMerchant: frozenset({"private_key", "api_v3_key"}),
}
PLAIN_FIELDS: dict[type[Channel], frozenset[str]] = {
    OfficialAccount: frozenset(
        {
            "name",
            "appid",
            "account_kind",
            "verified",
            "verified_until",
            "original_id",
            "encryption_mode",
            "api_base_url",
        }
    ),
    WeComCorp: frozenset({"name", "corpid", "welcome_message", "api_base_url"}),
    PayMerchant: frozenset(
        {
            "name",
            "mchid",
            "serial_no",
            "platform_key_mode",
            "platform_key_id",
            "platform_key_pem",
            "api_base_url",
        }
    ),
}
_AES_FIELDS = frozenset(
    {
        "encoding_aes_key",
        "previous_encoding_aes_key",
        "callback_aes_key",
        "previous_callback_aes_key",
    }
)


class ChannelError(ValueError):
    """A channel cannot be saved as given; the message is shown to the operator."""


def _audit_name(channel: Channel) -> str:
    return {"oa": "official_account", "wecom": "wecom_corp", "pay": "pay_merchant"}[channel.kind]


def _check_aes_keys(values: dict[str, Any]) -> None:
    for name in _AES_FIELDS & values.keys():
        value = values[name]
        plain = value.reveal() if isinstance(value, Secret) else str(value or "")
        if plain:
            try:
                decode_encoding_aes_key(plain)
            except ConfigurationError as exc:
                raise ChannelError(_("The EncodingAESKey must be 43 letters and digits.")) from exc


def _apply(channel: Channel, values: dict[str, Any]) -> list[str]:
    """Set the given fields; empty secrets mean "keep the stored one". Returns changed names."""
    model = type(channel)
    allowed = PLAIN_FIELDS[model] | SECRET_FIELDS[model]
    unknown = set(values) - allowed
    if unknown:
        raise ChannelError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    _check_aes_keys(values)
    changed = []
    for name, value in values.items():
        if name in SECRET_FIELDS[model]:
            plain = value.reveal() if isinstance(value, Secret) else str(value or "")
            if not plain:
                continue
            setattr(channel, name, Secret(plain))
            changed.append(name)
        elif getattr(channel, name) != value:
            setattr(channel, name, value)
            changed.append(name)
    return changed


@transaction.atomic
def connect(model: type[Channel], **values: Any) -> Channel:
    """Connect a channel of `model` in the current workspace."""
    require_tenant()
    channel = model()
    _apply(channel, values)
    channel.full_clean(exclude=["tenant", *SECRET_FIELDS[model]])
    channel.save()
    record(
        f"channels.{_audit_name(channel)}.connected", target=channel, data={"name": channel.name}
    )
    return channel


def connect_official_account(**values: Any) -> OfficialAccount:
    return connect(OfficialAccount, **values)  # type: ignore[return-value]


def connect_wecom_corp(**values: Any) -> WeComCorp:
    return connect(WeComCorp, **values)  # type: ignore[return-value]


def connect_pay_merchant(**values: Any) -> PayMerchant:
    return connect(PayMerchant, **values)  # type: ignore[return-value]


@transaction.atomic
def update_channel(channel: Channel, **values: Any) -> Channel:
    changed = _apply(channel, values)
    if changed:
        channel.full_clean(exclude=["tenant", *SECRET_FIELDS[type(channel)]])
        channel.save()
        record(
            f"channels.{_audit_name(channel)}.updated",
            target=channel,
            data={"fields": sorted(changed)},  # names only: secret values never enter the log
        )
    return channel


@transaction.atomic
def rotate_key(channel: OfficialAccount | WeComCorp, new_key: str) -> None:
    """Make `new_key` current and keep the old one as previous, so callbacks encrypted with
    either keep being accepted while the platform switches over."""
    current, previous = (
        ("encoding_aes_key", "previous_encoding_aes_key")
        if isinstance(channel, OfficialAccount)
        else ("callback_aes_key", "previous_callback_aes_key")
    )
    _check_aes_keys({current: new_key})
    old = getattr(channel, current)
    setattr(channel, previous, old or Secret(""))
    setattr(channel, current, Secret(new_key))
    channel.save()
    record(f"channels.{_audit_name(channel)}.key_rotated", target=channel, data={})


@transaction.atomic
def set_ingest_paused(channel: Channel, paused: bool) -> int:
    """Park (or resume) incoming events; resuming queues everything parked meanwhile."""
    from shequn.ingest import services as ingest_services

    channel.ingest_paused = paused
    channel.save(update_fields=["ingest_paused", "updated_at"])
    record(
        f"channels.{_audit_name(channel)}.{'paused' if paused else 'resumed'}",
        target=channel,
        data={},
    )
    if paused:
        return 0
    return ingest_services.release_parked(channel.kind, channel.pk)


@transaction.atomic
def disconnect(channel: Channel) -> None:
    """Stop accepting callbacks and forget the credentials; the inbox history stays."""
    channel.disconnected_at = timezone.now()
    for name in SECRET_FIELDS[type(channel)]:
        setattr(channel, name, Secret(""))
    channel.save()
    record(f"channels.{_audit_name(channel)}.disconnected", target=channel, data={})


# -- clients -------------------------------------------------------------------------------


def official_account_client(account: OfficialAccount) -> SyncOfficialAccountClient:
    return SyncOfficialAccountClient(
        account.appid,
        account.secret.reveal() if account.secret else "",
        base_url=account.api_base_url,
        token_store=token_store_for(account.tenant),
    )


def wecom_client(corp: WeComCorp) -> SyncWeComClient:
    return SyncWeComClient(
        corp.corpid,
        corp.contact_secret.reveal() if corp.contact_secret else "",
        base_url=corp.api_base_url,
        token_store=token_store_for(corp.tenant),
    )


def platform_keys(merchant: PayMerchant) -> PlatformKeys:
    keys = PlatformKeys()
    if merchant.platform_key_pem:
        if merchant.platform_key_mode == PayMerchant.PlatformKeyMode.PUBLIC_KEY:
            keys.add_public_key(merchant.platform_key_id, merchant.platform_key_pem)
        else:
            keys.add_certificate(merchant.platform_key_pem)
    return keys


def pay_verifier(merchant: PayMerchant) -> ResponseVerifier | None:
    try:
        return ResponseVerifier(platform_keys(merchant))
    except (WeChatError, PayError, ValueError):
        return None


def pay_client(merchant: PayMerchant) -> SyncTransferClient:
    client = PayClient(
        mchid=merchant.mchid,
        merchant_serial_no=merchant.serial_no,
        merchant_private_key=merchant.private_key.reveal() if merchant.private_key else "",
        platform_keys=platform_keys(merchant),
        base_url=merchant.api_base_url,
    )
    return SyncTransferClient(client)


# -- test connection -----------------------------------------------------------------------


@dataclass(frozen=True)
class ConnectionTest:
    ok: bool
    message: str


def _probe_official_account(account: OfficialAccount) -> ConnectionTest:
    with official_account_client(account) as client:
        # Straight to the stable-token endpoint, never the shared store: a token cached under
        # the old secret would hide a wrong new one. Without force_refresh the stable token is
        # not rotated, so live callers keep theirs.
        client.call(client.aio.tokens.stable_token)
    return ConnectionTest(True, _("Access token fetched: the AppID and AppSecret work."))


def _probe_wecom(corp: WeComCorp) -> ConnectionTest:
    with wecom_client(corp) as client:
        client.call(client.aio.get_token)  # gettoken itself, not the shared store
    return ConnectionTest(True, _("Access token fetched: the CorpID and secret work."))


def _probe_pay(merchant: PayMerchant) -> ConnectionTest:
    pay = PayClient(
        mchid=merchant.mchid,
        merchant_serial_no=merchant.serial_no,
        merchant_private_key=merchant.private_key.reveal() if merchant.private_key else "",
        platform_keys=platform_keys(merchant),
        base_url=merchant.api_base_url,
        max_attempts=1,
    )

    async def probe() -> None:
        async with pay:
            await pay.request("GET", "/v3/certificates")

    asyncio.run(probe())
    return ConnectionTest(True, _("WeChat Pay answered a signed request with a valid signature."))


def _probe(channel: Channel) -> ConnectionTest:
    if isinstance(channel, OfficialAccount):
        return _probe_official_account(channel)
    if isinstance(channel, WeComCorp):
        return _probe_wecom(channel)
    if isinstance(channel, PayMerchant):
        return _probe_pay(channel)
    raise TypeError(type(channel).__name__)


def _transport_reason(exc: Exception) -> str:
    cause = exc.__cause__ or exc.__context__
    return type(cause).__name__ if cause is not None else type(exc).__name__


def test_connection(channel: Channel) -> ConnectionTest:
    """Call the platform with the stored credentials and say plainly whether it worked."""
    try:
        result = _probe(channel)
    except (TransportError, PayTransportError) as exc:
        # No answer at all is not a refusal: say so, with the kind of network failure.
        result = ConnectionTest(
            False, _("Could not reach the platform: %(error)s") % {"error": _transport_reason(exc)}
        )
    except (WeChatError, PayError) as exc:
        result = ConnectionTest(False, _("The platform refused: %(error)s") % {"error": exc})
    except Exception as exc:  # noqa: BLE001 - network errors and bad keys are shown, not raised
        log.warning(
            "channels.test_connection.error", channel=str(channel.uid), error=type(exc).__name__
        )
        result = ConnectionTest(
            False, _("Could not reach the platform: %(error)s") % {"error": type(exc).__name__}
        )
    with transaction.atomic():
        channel.last_test_at = timezone.now()
        channel.last_test_ok = result.ok
        channel.last_test_message = result.message[:300]
        channel.save(update_fields=["last_test_at", "last_test_ok", "last_test_message"])
        record(f"channels.{_audit_name(channel)}.tested", target=channel, data={"ok": result.ok})
    return result
