"""Documented limits of transfer bills, enforced before anything is sent."""

from __future__ import annotations

import dataclasses

import pytest

from shequn.wechat.pay.errors import MalformedPayResponse, PayValidationError
from shequn.wechat.pay.transfer_models import (
    CancelResult,
    SceneReportInfo,
    TransferBill,
    TransferBillRequest,
    TransferState,
)

VALID = TransferBillRequest(
    appid="wxf636efh567hg4356",
    out_bill_no="plfk2020042013",
    transfer_scene_id="1000",
    openid="o-MYE42l80oelYMDE34nYD456Xoy",
    transfer_amount=10,
    transfer_remark="新会员入群奖励",
    transfer_scene_report_infos=(
        SceneReportInfo("活动名称", "入群有礼"),
        SceneReportInfo("奖励说明", "入群领取现金红包"),
    ),
)


def _with(**changes: object) -> TransferBillRequest:
    return dataclasses.replace(VALID, **changes)  # type: ignore[arg-type]


def test_valid_request_passes_and_serialises_in_documented_fields() -> None:
    VALID.validate()
    body = VALID.to_json()
    assert set(body) == {
        "appid",
        "out_bill_no",
        "transfer_scene_id",
        "openid",
        "transfer_amount",
        "transfer_remark",
        "transfer_scene_report_infos",
    }


@pytest.mark.parametrize("out_bill_no", ["a" * 32, "A1", "0"])
def test_out_bill_no_accepts_up_to_32_letters_and_digits(out_bill_no: str) -> None:
    _with(out_bill_no=out_bill_no).validate()


@pytest.mark.parametrize(
    "out_bill_no", ["", "a" * 33, "bill-1", "bill_1", "单号1", "bill 1", "../x", "ａ1"]
)
def test_out_bill_no_rejects_other_characters_and_lengths(out_bill_no: str) -> None:
    with pytest.raises(PayValidationError):
        _with(out_bill_no=out_bill_no).validate()


def test_remark_limit_counts_characters_not_bytes() -> None:
    _with(transfer_remark="奖" * 32).validate()
    with pytest.raises(PayValidationError):
        _with(transfer_remark="奖" * 33).validate()
    with pytest.raises(PayValidationError):
        _with(transfer_remark=" ").validate()


@pytest.mark.parametrize(
    ("scene", "amount", "ok"),
    [
        ("1000", 10, True),  # 0.1 CNY: the cash-marketing minimum
        ("1000", 9, False),
        ("1005", 1, True),
        ("1005", 0, False),
        ("1000", -100, False),
        ("1000", 20_000_00, False),  # needs a real name at this size anyway
    ],
)
def test_amount_bounds(scene: str, amount: int, ok: bool) -> None:
    request = _with(transfer_scene_id=scene, transfer_amount=amount)
    if scene != "1000":
        request = dataclasses.replace(request, user_recv_perception=None)
    if ok:
        request.validate()
    else:
        with pytest.raises(PayValidationError):
            request.validate()


@pytest.mark.parametrize("amount", [1.5, "100", True])
def test_amount_must_be_integer_fen(amount: object) -> None:
    with pytest.raises(PayValidationError):
        _with(transfer_amount=amount).validate()


def test_ceiling_is_configurable_and_real_name_needed_from_2000_cny() -> None:
    with pytest.raises(PayValidationError):
        _with(transfer_amount=1001).validate(max_amount_fen=1000)
    with pytest.raises(PayValidationError, match="user_name"):
        _with(transfer_amount=2_000_00).validate()
    _with(transfer_amount=2_000_00, user_name="张三").validate()
    _with(transfer_amount=20_000_00, user_name="张三").validate()
    with pytest.raises(PayValidationError):
        _with(transfer_amount=20_000_01, user_name="张三").validate()


def test_cash_marketing_scene_rules() -> None:
    with pytest.raises(PayValidationError):
        _with(transfer_scene_report_infos=(SceneReportInfo("活动名称", "入群有礼"),)).validate()
    with pytest.raises(PayValidationError):
        _with(transfer_scene_report_infos=()).validate()
    with pytest.raises(PayValidationError):
        _with(user_recv_perception="现金红包").validate()
    _with(user_recv_perception="活动奖励").validate()
    with pytest.raises(PayValidationError):
        _with(
            transfer_scene_report_infos=(
                SceneReportInfo("活动名称", "x" * 33),
                SceneReportInfo("奖励说明", "y"),
            )
        ).validate()


@pytest.mark.parametrize(
    "url",
    ["http://example.com/notify", "https://example.com/n?a=1", "https://example.com/n#x", "/n"],
)
def test_notify_url_must_be_https_without_query(url: str) -> None:
    with pytest.raises(PayValidationError):
        _with(notify_url=url).validate()


def test_state_finality() -> None:
    assert {s for s in TransferState if s.is_final} == {
        TransferState.SUCCESS,
        TransferState.FAIL,
        TransferState.CANCELLED,
    }
    assert len(TransferState) == 8


def test_unknown_state_in_an_answer_is_not_guessed() -> None:
    with pytest.raises(MalformedPayResponse):
        TransferBill.from_json(
            {"out_bill_no": "a", "transfer_bill_no": "b", "state": "REFUNDED", "create_time": ""}
        )
    with pytest.raises(MalformedPayResponse):
        CancelResult.from_json({"out_bill_no": "a", "state": "CANCELLED"})
