"""Error codes, their classification and the retry-after times of quota errors."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from shequn.wechat.endpoints import Platform
from shequn.wechat.errors import (
    CHINA_TZ,
    APIError,
    InvalidRequest,
    OfficialAccountErrorCode,
    PermanentError,
    QuotaExhausted,
    Retryable,
    TokenInvalid,
    TransportError,
    WeComErrorCode,
    classify,
    error_from_response,
)
from shequn.wechat.exceptions import WeChatError

OA = Platform.OFFICIAL_ACCOUNT
WECOM = Platform.WECOM


def test_every_code_has_a_meaning_and_the_documented_ones_exist() -> None:
    for enum in (OfficialAccountErrorCode, WeComErrorCode):
        assert all(member.meaning for member in enum)
    for code in (-1, 40001, 40013, 40014, 40125, 40164, 41001, 42001, 42007, 43004, 45009):
        assert OfficialAccountErrorCode(code).meaning
    for code in (45011, 45015, 45047, 45064, 45065, 48001, 50001, 61024, 85005, 89503):
        assert OfficialAccountErrorCode(code).meaning
    for code in (-1, 40014, 41001, 42001, 45009, 45033, 81013, 84061, 90500, 90508):
        assert WeComErrorCode(code).meaning
    assert OfficialAccountErrorCode(45009) == 45009


@pytest.mark.parametrize("code", [40001, 40014, 42001, 41001])
def test_official_account_token_codes_ask_for_a_refresh(code: int) -> None:
    assert classify(code, OA) is TokenInvalid


@pytest.mark.parametrize("path", ["/cgi-bin/stable_token", "/cgi-bin/token", "/cgi-bin/gettoken"])
def test_token_codes_on_the_token_endpoint_are_bad_credentials(path: str) -> None:
    assert classify(40001, OA, path=path) is PermanentError
    assert classify(40001, OA, path="/cgi-bin/user/get") is TokenInvalid


def test_platforms_disagree_on_some_codes() -> None:
    # WeCom's 40001 is a wrong secret, not a stale token; its 45009 is a frequency block.
    assert classify(40001, WECOM) is PermanentError
    assert classify(40014, WECOM) is TokenInvalid
    assert classify(45009, OA) is QuotaExhausted
    assert classify(45033, WECOM) is Retryable
    assert classify(45033, OA) is PermanentError


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (-1, Retryable),
        (45011, Retryable),
        (45009, QuotaExhausted),
        (45028, QuotaExhausted),
        (48006, QuotaExhausted),
        (45066, QuotaExhausted),
        (89506, QuotaExhausted),
        (40013, PermanentError),
        (48001, PermanentError),
        (43004, PermanentError),
        (45015, PermanentError),
        (123456789, PermanentError),
    ],
)
def test_official_account_classification(code: int, expected: type[APIError]) -> None:
    assert classify(code, OA) is expected


def test_every_known_code_maps_to_one_reaction() -> None:
    reactions = {TokenInvalid, Retryable, QuotaExhausted, PermanentError}
    for oa_code in OfficialAccountErrorCode:
        assert classify(oa_code, OA) in reactions
    for wecom_code in WeComErrorCode:
        assert classify(wecom_code, WECOM) in reactions


def test_daily_quota_lasts_until_midnight_in_beijing() -> None:
    # 23:30 UTC on 31 March is 07:30 on 1 April in Beijing: the quota resets at 2 April 00:00.
    now = datetime(2025, 3, 31, 23, 30, tzinfo=UTC)
    error = error_from_response(45009, "reach max api daily quota limit", platform=OA, now=now)
    assert isinstance(error, QuotaExhausted)
    assert error.retry_after == datetime(2025, 4, 2, 0, 0, tzinfo=CHINA_TZ)
    assert error.retry_after - now == timedelta(hours=16, minutes=30)


def test_mass_send_quota_lasts_until_next_month() -> None:
    now = datetime(2025, 12, 15, 10, 0, tzinfo=CHINA_TZ)
    error = error_from_response(45028, "has no masssend quota", platform=OA, now=now)
    assert isinstance(error, QuotaExhausted)
    assert error.retry_after == datetime(2026, 1, 1, tzinfo=CHINA_TZ)


def test_wecom_frequency_block_lasts_a_minute() -> None:
    now = datetime(2025, 6, 1, 12, 0, tzinfo=CHINA_TZ)
    error = error_from_response(45009, "api freq out of limit", platform=WECOM, now=now)
    assert isinstance(error, QuotaExhausted)
    assert error.retry_after == now + timedelta(minutes=1)


def test_api_errors_carry_code_message_rid_path_and_payload() -> None:
    payload = {"errcode": 40003, "errmsg": "invalid openid rid: 6650a1b2-4f1e2d3c-1a2b3c4d"}
    error = error_from_response(
        40003, str(payload["errmsg"]), platform=OA, path="/cgi-bin/user/info", payload=payload
    )
    assert isinstance(error, PermanentError)
    assert (error.errcode, error.rid, error.path) == (
        40003,
        "6650a1b2-4f1e2d3c-1a2b3c4d",
        "/cgi-bin/user/info",
    )
    assert error.payload == payload
    assert "40003" in str(error)


def test_hierarchy_lets_callers_catch_by_reaction() -> None:
    assert issubclass(TransportError, Retryable)
    assert issubclass(Retryable, APIError)
    assert issubclass(APIError, WeChatError)
    assert issubclass(InvalidRequest, ValueError)
    assert issubclass(InvalidRequest, WeChatError)
    assert not issubclass(InvalidRequest, APIError)
