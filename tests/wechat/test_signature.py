from __future__ import annotations

import time

import pytest

from shequn.wechat.exceptions import InvalidSignature
from shequn.wechat.signature import (
    is_timestamp_fresh,
    sha1_signature,
    verify_msg_signature,
    verify_url_signature,
)

# Reference §1.6 A (official doc example) and B (Tencent sample, msg_signature recomputed).
TOKEN, TS, NONCE = "AAAAA", "1714037059", "486452656"
URL_SIGNATURE = "899cf89e464efb63f54ddac96b0a0a235f53aa78"
B_ENCRYPT = (
    "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
)
B_MSG_SIGNATURE = "82c962d39941aa48552f90ef55aa323dc620cc10"


def test_official_url_signature_vector() -> None:
    assert sha1_signature(TOKEN, TS, NONCE) == URL_SIGNATURE
    verify_url_signature(TOKEN, TS, NONCE, URL_SIGNATURE)


def test_signature_does_not_depend_on_argument_order() -> None:
    assert sha1_signature(NONCE, TOKEN, TS) == URL_SIGNATURE


def test_msg_signature_vector() -> None:
    verify_msg_signature("pamtest", "1409304348", "xxxxxx", B_ENCRYPT, B_MSG_SIGNATURE)


def test_uppercase_hex_is_accepted() -> None:
    verify_url_signature(TOKEN, TS, NONCE, URL_SIGNATURE.upper())


@pytest.mark.parametrize(
    "signature",
    [
        URL_SIGNATURE[:-1] + "0",
        "",
        URL_SIGNATURE + "00",
        "签名" * 20,
        "\udcff" * 40,
    ],
)
def test_wrong_url_signature_is_rejected(signature: str) -> None:
    with pytest.raises(InvalidSignature):
        verify_url_signature(TOKEN, TS, NONCE, signature)


def test_msg_signature_covers_the_ciphertext() -> None:
    with pytest.raises(InvalidSignature):
        verify_msg_signature("pamtest", "1409304348", "xxxxxx", B_ENCRYPT + "x", B_MSG_SIGNATURE)


def test_url_signature_is_not_a_msg_signature() -> None:
    # The classic mix-up: `signature` must not validate an encrypted body.
    with pytest.raises(InvalidSignature):
        verify_msg_signature(TOKEN, TS, NONCE, B_ENCRYPT, URL_SIGNATURE)


def test_timestamp_freshness() -> None:
    assert is_timestamp_fresh("1000", now=1000.0)
    assert is_timestamp_fresh("1000", now=1300.0)
    assert not is_timestamp_fresh("1000", now=1301.0)
    assert not is_timestamp_fresh("1301", now=1000.0, max_skew_seconds=300)
    assert not is_timestamp_fresh("abc")
    assert not is_timestamp_fresh("１２３")
    assert not is_timestamp_fresh("9" * 40)
    assert is_timestamp_fresh(str(int(time.time())))
