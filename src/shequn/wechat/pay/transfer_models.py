"""Merchant transfer bills (商家转账, user-confirmation mode): states, requests, results, limits.

Limits checked before anything is sent (documented for POST /v3/fund-app/mch-transfer/
transfer-bills): out_bill_no 1-32 letters/digits; transfer_remark 1-32 characters; appid <= 32;
openid <= 64; transfer_scene_id <= 36; notify_url HTTPS without a query; amount in fen, at least
0.1 CNY in scene 1000 (现金营销), a real name required from 2,000 CNY; scene report entries with
info_type <= 15 and info_content <= 32 characters, and for scene 1000 exactly 活动名称 + 奖励说明.
The per-bill ceiling defaults to 20,000 CNY (the per-user daily cap); the real ceilings are
configured per scene in the merchant platform, so pass `max_amount_fen` to tighten it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from shequn.wechat.pay.errors import MalformedPayResponse, PayValidationError

SCENE_CASH_MARKETING = "1000"
CASH_MARKETING_PERCEPTIONS = frozenset({"现金奖励", "活动奖励"})
CASH_MARKETING_REPORT_TYPES = ("活动名称", "奖励说明")
MIN_CASH_MARKETING_FEN = 10
MIN_AMOUNT_FEN = 1
DEFAULT_MAX_AMOUNT_FEN = 20_000_00
REAL_NAME_REQUIRED_FEN = 2_000_00
MAX_REMARK_CHARS = 32
MAX_INFO_TYPE_CHARS = 15
MAX_INFO_CONTENT_CHARS = 32
MAX_NOTIFY_URL_CHARS = 256

_OUT_BILL_NO = re.compile(r"[0-9A-Za-z]{1,32}")
_TRANSFER_BILL_NO = re.compile(r"[0-9A-Za-z]{1,64}")


class TransferState(StrEnum):
    """The life of a transfer bill; only SUCCESS, FAIL and CANCELLED are final."""

    ACCEPTED = "ACCEPTED"  # accepted, not yet processed
    PROCESSING = "PROCESSING"  # locking funds; stuck here usually means a low balance
    WAIT_USER_CONFIRM = "WAIT_USER_CONFIRM"  # the user must confirm receipt with package_info
    TRANSFERING = "TRANSFERING"  # result pending; the user may confirm again
    SUCCESS = "SUCCESS"
    FAIL = "FAIL"
    CANCELING = "CANCELING"  # merchant cancel accepted, not yet done
    CANCELLED = "CANCELLED"

    @property
    def is_final(self) -> bool:
        return self in (TransferState.SUCCESS, TransferState.FAIL, TransferState.CANCELLED)


def validate_out_bill_no(out_bill_no: object) -> str:
    if not isinstance(out_bill_no, str) or not _OUT_BILL_NO.fullmatch(out_bill_no):
        raise PayValidationError("out_bill_no must be 1-32 ASCII letters or digits")
    return out_bill_no


def validate_transfer_bill_no(transfer_bill_no: object) -> str:
    if not isinstance(transfer_bill_no, str) or not _TRANSFER_BILL_NO.fullmatch(transfer_bill_no):
        raise PayValidationError("transfer_bill_no must be ASCII letters or digits")
    return transfer_bill_no


def _check_text(name: str, value: object, limit: int) -> None:
    if not isinstance(value, str) or not value.strip():
        raise PayValidationError(f"{name} is required")
    if len(value) > limit:
        raise PayValidationError(f"{name} is {len(value)} characters; the limit is {limit}")


@dataclass(frozen=True, slots=True)
class SceneReportInfo:
    """One 转账场景报备信息 entry; not shown to the user."""

    info_type: str
    info_content: str

    def as_dict(self) -> dict[str, str]:
        return {"info_type": self.info_type, "info_content": self.info_content}


@dataclass(frozen=True, slots=True)
class TransferBillRequest:
    """Body of POST /v3/fund-app/mch-transfer/transfer-bills.

    `out_bill_no` is the idempotency key: the same number with the same fields is the same bill,
    however often it is sent. `user_name` is plaintext here; the client encrypts it.
    """

    appid: str
    out_bill_no: str
    transfer_scene_id: str
    openid: str
    transfer_amount: int
    transfer_remark: str
    transfer_scene_report_infos: tuple[SceneReportInfo, ...]
    user_recv_perception: str | None = None
    notify_url: str | None = None
    user_name: str | None = None

    def validate(self, *, max_amount_fen: int = DEFAULT_MAX_AMOUNT_FEN) -> None:
        """Raise `PayValidationError` for anything Pay documents as invalid."""
        validate_out_bill_no(self.out_bill_no)
        _check_text("appid", self.appid, 32)
        _check_text("openid", self.openid, 64)
        _check_text("transfer_scene_id", self.transfer_scene_id, 36)
        _check_text("transfer_remark", self.transfer_remark, MAX_REMARK_CHARS)
        self._validate_amount(max_amount_fen)
        if self.notify_url is not None:
            _validate_notify_url(self.notify_url)
        self._validate_scene()

    def _validate_amount(self, max_amount_fen: int) -> None:
        amount: object = self.transfer_amount  # callers may hand in JSON values at runtime
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise PayValidationError("transfer_amount must be an integer number of fen")
        minimum = (
            MIN_CASH_MARKETING_FEN
            if self.transfer_scene_id == SCENE_CASH_MARKETING
            else MIN_AMOUNT_FEN
        )
        if amount < minimum:
            raise PayValidationError(f"transfer_amount {amount} fen is below the {minimum} minimum")
        if amount > max_amount_fen:
            raise PayValidationError(
                f"transfer_amount {amount} fen is above the {max_amount_fen} fen ceiling"
            )
        if amount >= REAL_NAME_REQUIRED_FEN and not self.user_name:
            raise PayValidationError("user_name is required for transfers of 2,000 CNY or more")

    def _validate_scene(self) -> None:
        infos = self.transfer_scene_report_infos
        if not infos:
            raise PayValidationError("transfer_scene_report_infos is required")
        for info in infos:
            _check_text("info_type", info.info_type, MAX_INFO_TYPE_CHARS)
            _check_text("info_content", info.info_content, MAX_INFO_CONTENT_CHARS)
        if self.transfer_scene_id != SCENE_CASH_MARKETING:
            return
        if sorted(info.info_type for info in infos) != sorted(CASH_MARKETING_REPORT_TYPES):
            raise PayValidationError("scene 1000 needs exactly the 活动名称 and 奖励说明 entries")
        perception = self.user_recv_perception
        if perception is not None and perception not in CASH_MARKETING_PERCEPTIONS:
            raise PayValidationError("scene 1000 accepts user_recv_perception 现金奖励 or 活动奖励")

    def to_json(self, *, encrypted_user_name: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "appid": self.appid,
            "out_bill_no": self.out_bill_no,
            "transfer_scene_id": self.transfer_scene_id,
            "openid": self.openid,
            "transfer_amount": self.transfer_amount,
            "transfer_remark": self.transfer_remark,
        }
        if encrypted_user_name is not None:
            body["user_name"] = encrypted_user_name
        if self.notify_url is not None:
            body["notify_url"] = self.notify_url
        if self.user_recv_perception is not None:
            body["user_recv_perception"] = self.user_recv_perception
        body["transfer_scene_report_infos"] = [
            i.as_dict() for i in self.transfer_scene_report_infos
        ]
        return body


def _validate_notify_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise PayValidationError("notify_url must be an https URL without query or fragment")
    if len(url) > MAX_NOTIFY_URL_CHARS:
        raise PayValidationError(f"notify_url is longer than {MAX_NOTIFY_URL_CHARS} characters")


def _str(data: Mapping[str, Any], key: str, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise MalformedPayResponse(f"{key!r} missing or not a string in Pay's answer")
    return value


def _optional(data: Mapping[str, Any], key: str) -> str | None:
    return _str(data, key, required=False) or None


def _int(data: Mapping[str, Any], key: str) -> int:
    value = data.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedPayResponse(f"{key!r} missing or not an integer in Pay's answer")
    return value


def _state(data: Mapping[str, Any]) -> TransferState:
    raw = _str(data, "state")
    try:
        return TransferState(raw)
    except ValueError as exc:
        # An unknown state must not be guessed at: money may or may not have moved.
        raise MalformedPayResponse(f"unknown transfer state {raw[:40]!r}") from exc


@dataclass(frozen=True, slots=True)
class TransferBill:
    """Answer to creating a bill; with WAIT_USER_CONFIRM, hand `package_info` to the user's page."""

    out_bill_no: str
    transfer_bill_no: str
    create_time: str
    state: TransferState
    package_info: str | None = None
    fail_reason: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TransferBill:
        return cls(
            out_bill_no=_str(data, "out_bill_no"),
            transfer_bill_no=_str(data, "transfer_bill_no"),
            create_time=_str(data, "create_time", required=False),
            state=_state(data),
            package_info=_optional(data, "package_info"),
            fail_reason=_optional(data, "fail_reason"),
        )


@dataclass(frozen=True, slots=True)
class TransferBillDetail:
    """Answer to a query by out_bill_no or transfer_bill_no (bills of the last 30 days)."""

    mch_id: str
    appid: str
    out_bill_no: str
    transfer_bill_no: str
    state: TransferState
    transfer_amount: int
    transfer_remark: str
    openid: str
    create_time: str
    update_time: str
    fail_reason: str | None = None
    package_info: str | None = None
    user_name: str | None = None  # still encrypted to the merchant key

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TransferBillDetail:
        return cls(
            mch_id=_str(data, "mch_id", required=False),
            appid=_str(data, "appid", required=False),
            out_bill_no=_str(data, "out_bill_no"),
            transfer_bill_no=_str(data, "transfer_bill_no"),
            state=_state(data),
            transfer_amount=_int(data, "transfer_amount"),
            transfer_remark=_str(data, "transfer_remark", required=False),
            openid=_str(data, "openid", required=False),
            create_time=_str(data, "create_time", required=False),
            update_time=_str(data, "update_time", required=False),
            fail_reason=_optional(data, "fail_reason"),
            package_info=_optional(data, "package_info"),
            user_name=_optional(data, "user_name"),
        )


@dataclass(frozen=True, slots=True)
class CancelResult:
    """Answer to a cancel; usually CANCELING, later CANCELLED (cancellation is asynchronous)."""

    out_bill_no: str
    transfer_bill_no: str
    state: TransferState
    update_time: str

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> CancelResult:
        return cls(
            out_bill_no=_str(data, "out_bill_no"),
            transfer_bill_no=_str(data, "transfer_bill_no"),
            state=_state(data),
            update_time=_str(data, "update_time", required=False),
        )


@dataclass(frozen=True, slots=True)
class TransferBillFinished:
    """Decrypted resource of a MCHTRANSFER.BILL.FINISHED notification (SUCCESS/FAIL/CANCELLED)."""

    mchid: str
    out_bill_no: str
    transfer_bill_no: str
    state: TransferState
    transfer_amount: int
    openid: str
    create_time: str
    update_time: str
    fail_reason: str | None = None

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TransferBillFinished:
        return cls(
            mchid=_str(data, "mchid", required=False),
            out_bill_no=_str(data, "out_bill_no"),
            transfer_bill_no=_str(data, "transfer_bill_no"),
            state=_state(data),
            transfer_amount=_int(data, "transfer_amount"),
            openid=_str(data, "openid", required=False),
            create_time=_str(data, "create_time", required=False),
            update_time=_str(data, "update_time", required=False),
            fail_reason=_optional(data, "fail_reason"),
        )
