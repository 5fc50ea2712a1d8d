"""Connected channels: official accounts, WeCom corporations and WeChat Pay merchants.

Each channel has an unguessable `callback_key` for its callback URL (the URL carries no tenant:
the key finds the tenant), an `ingest_paused` switch that parks incoming events, and its
credentials as encrypted fields that never leave the server.
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from shequn.core.secrets import EncryptedTextField
from shequn.tenancy.models import TenantScopedModel

REAL_OA_API = "https://api.weixin.qq.com"
REAL_WECOM_API = "https://qyapi.weixin.qq.com"
REAL_PAY_API = "https://api.mch.weixin.qq.com"


class ChannelKind(models.TextChoices):
    OFFICIAL_ACCOUNT = "oa", _("Official account")
    WECOM = "wecom", _("WeCom")
    PAY = "pay", _("WeChat Pay")


class Channel(TenantScopedModel):
    """What every connected channel has in common."""

    kind: ClassVar[str]

    name = models.CharField(_("name"), max_length=100)
    # Random (not time-ordered) so it cannot be guessed from the creation time; found without a
    # tenant scope, hence indexed on its own.
    callback_key = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)
    ingest_paused = models.BooleanField(_("ingest paused"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    disconnected_at = models.DateTimeField(null=True, blank=True)
    last_test_at = models.DateTimeField(null=True, blank=True)
    last_test_ok = models.BooleanField(null=True, blank=True)
    last_test_message = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True

    @property
    def kind_label(self) -> str:
        return str(ChannelKind(self.kind).label)

    @property
    def is_connected(self) -> bool:
        return self.disconnected_at is None

    def __str__(self) -> str:
        return self.name


class OfficialAccount(Channel):
    kind = ChannelKind.OFFICIAL_ACCOUNT

    class AccountKind(models.TextChoices):
        SERVICE = "service", _("Service account")
        SUBSCRIPTION = "subscription", _("Subscription account")

    class EncryptionMode(models.TextChoices):
        PLAINTEXT = "plaintext", _("Plaintext")
        COMPATIBLE = "compatible", _("Compatible")
        SAFE = "safe", _("Safe")

    appid = models.CharField(_("AppID"), max_length=32)
    account_kind = models.CharField(
        _("account type"), max_length=20, choices=AccountKind.choices, default=AccountKind.SERVICE
    )
    verified = models.BooleanField(_("verified"), default=False)
    verified_until = models.DateField(_("verified until"), null=True, blank=True)
    verification_reminded_for = models.DateField(null=True, blank=True, editable=False)
    original_id = models.CharField(_("original ID"), max_length=32, blank=True)
    encryption_mode = models.CharField(
        _("message encryption"),
        max_length=20,
        choices=EncryptionMode.choices,
        default=EncryptionMode.SAFE,
    )
    secret = EncryptedTextField(_("AppSecret"), blank=True)
    token = EncryptedTextField(_("token"), blank=True)
    encoding_aes_key = EncryptedTextField(_("EncodingAESKey"), blank=True)
    previous_encoding_aes_key = EncryptedTextField(_("previous EncodingAESKey"), blank=True)
    api_base_url = models.URLField(_("API base URL"), default=REAL_OA_API)

    class Meta:
        verbose_name = _("official account")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "appid"], name="channels_oa_unique_appid"),
            models.UniqueConstraint(
                fields=["tenant", "callback_key"], name="channels_oa_unique_callback_key"
            ),
        ]


class WeComCorp(Channel):
    kind = ChannelKind.WECOM

    corpid = models.CharField(_("CorpID"), max_length=64)
    contact_secret = EncryptedTextField(_("customer contact secret"), blank=True)
    callback_token = EncryptedTextField(_("callback token"), blank=True)
    callback_aes_key = EncryptedTextField(_("callback EncodingAESKey"), blank=True)
    previous_callback_aes_key = EncryptedTextField(_("previous EncodingAESKey"), blank=True)
    welcome_message = models.TextField(_("default welcome message"), blank=True, max_length=4000)
    api_base_url = models.URLField(_("API base URL"), default=REAL_WECOM_API)

    class Meta:
        verbose_name = _("WeCom corporation")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(
                fields=["tenant", "corpid"], name="channels_wecom_unique_corpid"
            ),
            models.UniqueConstraint(
                fields=["tenant", "callback_key"], name="channels_wecom_unique_callback_key"
            ),
        ]


class PayMerchant(Channel):
    kind = ChannelKind.PAY

    class PlatformKeyMode(models.TextChoices):
        PUBLIC_KEY = "public_key", _("WeChat Pay public key")
        CERTIFICATE = "certificate", _("Platform certificate")

    mchid = models.CharField(_("merchant ID"), max_length=32)
    serial_no = models.CharField(_("API certificate serial number"), max_length=64)
    private_key = EncryptedTextField(_("API private key (PEM)"), blank=True)
    api_v3_key = EncryptedTextField(_("APIv3 key"), blank=True)
    platform_key_mode = models.CharField(
        _("platform key mode"),
        max_length=20,
        choices=PlatformKeyMode.choices,
        default=PlatformKeyMode.PUBLIC_KEY,
    )
    platform_key_id = models.CharField(_("public key ID"), max_length=80, blank=True)
    platform_key_pem = models.TextField(_("platform public key or certificate (PEM)"), blank=True)
    api_base_url = models.URLField(_("API base URL"), default=REAL_PAY_API)

    class Meta:
        verbose_name = _("WeChat Pay merchant")
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "mchid"], name="channels_pay_unique_mchid"),
            models.UniqueConstraint(
                fields=["tenant", "callback_key"], name="channels_pay_unique_callback_key"
            ),
        ]


class StoredToken(TenantScopedModel):
    """A platform access token shared by every process (the database-backed token store)."""

    key = models.CharField(max_length=200)
    value = EncryptedTextField(blank=True)
    expires_at = models.FloatField(default=0)
    lease_id = models.CharField(max_length=64, blank=True)
    lease_until = models.FloatField(default=0)

    class Meta:
        constraints: ClassVar[list[models.BaseConstraint]] = [
            *TenantScopedModel.Meta.constraints,
            models.UniqueConstraint(fields=["tenant", "key"], name="channels_token_unique_key"),
        ]
