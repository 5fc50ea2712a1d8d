"""Message crypto against the published vectors, plus every way a ciphertext can be wrong."""

from __future__ import annotations

import base64
import struct

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from shequn.wechat.crypto import DecryptedMessage, MessageCrypto, decode_encoding_aes_key
from shequn.wechat.exceptions import (
    ConfigurationError,
    DecryptionError,
    InvalidSignature,
    ProtocolError,
    ReceiveIdMismatch,
)
from shequn.wechat.xmlsafe import parse_xml

# Reference §1.6 B: Tencent's sample vector.
B_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
B_APPID = "wxb11529c136998cb6"
B_ENCRYPT = (
    "jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZGMhkP72vVOfg=="
)

# Reference §1.6 C/D: the WeCom-format vectors (ReceiveId in the CorpID position).
CD_TOKEN = "123456"
CD_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
CD_ID = "wx49f0ab532d5d035a"
C_REPLY = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
    "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n"
    "<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n"
    "<CreateTime>1411525903</CreateTime>\n</xml>"
)
D_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHC"
    "rsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpX"
    "aG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQi"
    "MS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQi"
    "pvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)
D_SIGNATURE = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
OTHER_KEY = "A" * 43


def raw_ciphertext(key: str, data: bytes) -> str:
    """Encrypt exactly `data` (already block aligned) so tests can forge any plaintext."""
    aes = decode_encoding_aes_key(key)
    encryptor = Cipher(algorithms.AES(aes), modes.CBC(aes[:16])).encryptor()
    return base64.b64encode(encryptor.update(data) + encryptor.finalize()).decode()


def padded(body: bytes) -> bytes:
    amount = 32 - len(body) % 32
    return body + bytes([amount]) * amount


def payload(msg: bytes, receive_id: bytes, declared: int | None = None) -> bytes:
    length = len(msg) if declared is None else declared
    return b"r" * 16 + struct.pack(">I", length) + msg + receive_id


# -- vectors -------------------------------------------------------------------------------


def test_key_decodes_to_32_bytes_with_the_documented_iv() -> None:
    key = decode_encoding_aes_key(B_KEY)
    assert len(key) == 32
    assert key[:16].hex() == "69b71d79f8218a39259a7a29aabb2dba"


def test_tencent_sample_vector_encrypts_and_decrypts() -> None:
    crypto = MessageCrypto("pamtest", B_KEY, B_APPID)
    plaintext = "我是中文abcd123".encode()
    assert crypto.encrypt(plaintext, random16=b"aaaabbbbccccdddd") == B_ENCRYPT
    assert crypto.decrypt(B_ENCRYPT) == plaintext
    assert crypto.signature_for("1409304348", "xxxxxx", B_ENCRYPT) == (
        "82c962d39941aa48552f90ef55aa323dc620cc10"
    )


def test_reply_envelope_vector() -> None:
    crypto = MessageCrypto(CD_TOKEN, CD_KEY, CD_ID)
    envelope = crypto.encrypt_envelope(
        C_REPLY, timestamp="1411525903", nonce="461056294", random16=b"1234567890123456"
    )
    fields = parse_xml(envelope)
    assert fields["Encrypt"].startswith(
        "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYb"
    )
    assert fields["MsgSignature"] == "407518b7649e86ef23978113f92d27afa9296533"
    assert fields["TimeStamp"] == "1411525903"
    assert fields["Nonce"] == "461056294"
    assert "<TimeStamp>1411525903</TimeStamp>" in envelope


def test_inbound_decrypt_vector() -> None:
    crypto = MessageCrypto(CD_TOKEN, CD_KEY, CD_ID)
    body = (
        f"<xml><ToUserName><![CDATA[{CD_ID}]]></ToUserName>"
        f"<Encrypt><![CDATA[{D_ENCRYPT}]]></Encrypt><AgentID><![CDATA[1]]></AgentID></xml>"
    )
    plain = crypto.decrypt_envelope(
        body.encode(), msg_signature=D_SIGNATURE, timestamp="1411525903", nonce="461056294"
    )
    fields = parse_xml(plain)
    assert (fields["Content"], fields["FromUserName"], fields["MsgId"]) == (
        "test",
        "messense",
        "4363689963896700987",
    )


def test_inbound_vector_random_prefix() -> None:
    aes = decode_encoding_aes_key(CD_KEY)
    decryptor = Cipher(algorithms.AES(aes), modes.CBC(aes[:16])).decryptor()
    raw = decryptor.update(base64.b64decode(D_ENCRYPT)) + decryptor.finalize()
    assert raw[:16] == b"ec90b1530358d4d3"


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("receive_id", "message"),
    [
        ("wx0123456789abcdef", "<xml><Content><![CDATA[公众号]]></Content></xml>"),
        ("ww55ca070cb9b7eb22", "<xml><Event><![CDATA[change_external_chat]]></Event></xml>"),
    ],
    ids=["officialaccount", "wecom"],
)
def test_envelope_round_trip(receive_id: str, message: str) -> None:
    crypto = MessageCrypto("tok3n", CD_KEY, receive_id)
    envelope = crypto.encrypt_envelope(message, timestamp="1714037059", nonce="12345")
    fields = parse_xml(envelope)
    opened = crypto.decrypt_envelope(
        envelope, msg_signature=fields["MsgSignature"], timestamp="1714037059", nonce="12345"
    )
    assert opened.decode() == message


@pytest.mark.parametrize("size", [0, 1, 11, 12, 13, 43, 44, 45, 100, 1000])
def test_every_padding_length_round_trips(size: int) -> None:
    # 16 + 4 + size + 18 spans every pad amount from 1 to 32 across these sizes.
    crypto = MessageCrypto("t", B_KEY, B_APPID)
    data = bytes(range(256))[:size] * (1 + size // 256)
    data = data[:size]
    encrypted = crypto.encrypt(data)
    assert len(base64.b64decode(encrypted)) % 32 == 0
    assert crypto.decrypt(encrypted) == data


def test_random_prefix_makes_ciphertexts_differ() -> None:
    crypto = MessageCrypto("t", B_KEY, B_APPID)
    assert crypto.encrypt(b"same") != crypto.encrypt(b"same")


def test_random16_must_be_16_bytes() -> None:
    crypto = MessageCrypto("t", B_KEY, B_APPID)
    with pytest.raises(ValueError, match="16 bytes"):
        crypto.encrypt(b"x", random16=b"short")


def test_non_numeric_timestamp_is_still_well_formed() -> None:
    crypto = MessageCrypto("t", B_KEY, B_APPID)
    envelope = crypto.encrypt_envelope("<xml/>", timestamp="ts]]>x", nonce="n")
    assert parse_xml(envelope)["TimeStamp"] == "ts]]>x"


def test_wecom_url_verification_returns_the_plain_echostr() -> None:
    crypto = MessageCrypto(CD_TOKEN, CD_KEY, "ww55ca070cb9b7eb22")
    echostr = crypto.encrypt(b"5927782489442352469")
    signature = crypto.signature_for("1409659589", "263014780", echostr)
    assert crypto.verify_url(signature, "1409659589", "263014780", echostr) == (
        "5927782489442352469"
    )
    with pytest.raises(InvalidSignature):
        crypto.verify_url(signature, "1409659590", "263014780", echostr)


def test_wecom_url_verification_rejects_non_utf8_plaintext() -> None:
    crypto = MessageCrypto(CD_TOKEN, CD_KEY, "ww55ca070cb9b7eb22")
    echostr = crypto.encrypt(b"\xff\xfe")
    signature = crypto.signature_for("1", "2", echostr)
    with pytest.raises(DecryptionError, match="UTF-8"):
        crypto.verify_url(signature, "1", "2", echostr)


# -- key rotation --------------------------------------------------------------------------


def test_rotation_decrypts_with_the_previous_key_and_says_so() -> None:
    old = MessageCrypto("t", OTHER_KEY, B_APPID)
    rotated = MessageCrypto("t", B_KEY, B_APPID, previous_encoding_aes_key=OTHER_KEY)
    from_old = old.encrypt(b"sent before the rotation")
    assert rotated.decrypt_detailed(from_old) == DecryptedMessage(
        b"sent before the rotation", used_previous_key=True
    )
    from_new = rotated.encrypt(b"after")
    assert rotated.decrypt_detailed(from_new) == DecryptedMessage(b"after")


def test_reply_can_use_the_previous_key() -> None:
    old = MessageCrypto("t", OTHER_KEY, B_APPID)
    rotated = MessageCrypto("t", B_KEY, B_APPID, previous_encoding_aes_key=OTHER_KEY)
    envelope = rotated.encrypt_envelope("<xml/>", timestamp="1", nonce="2", use_previous_key=True)
    fields = parse_xml(envelope)
    assert old.decrypt(fields["Encrypt"]) == b"<xml/>"


def test_previous_key_is_needed_to_encrypt_with_it() -> None:
    crypto = MessageCrypto("t", B_KEY, B_APPID)
    with pytest.raises(ConfigurationError):
        crypto.encrypt(b"x", use_previous_key=True)


def test_open_envelope_reports_the_key_used() -> None:
    old = MessageCrypto("t", OTHER_KEY, B_APPID)
    rotated = MessageCrypto("t", B_KEY, B_APPID, previous_encoding_aes_key=OTHER_KEY)
    envelope = old.encrypt_envelope("<xml/>", timestamp="1", nonce="2")
    fields = parse_xml(envelope)
    opened = rotated.open_envelope(
        envelope, msg_signature=fields["MsgSignature"], timestamp="1", nonce="2"
    )
    assert opened.used_previous_key


def test_neither_key_fits() -> None:
    stranger = MessageCrypto("t", "B" * 43, B_APPID)
    rotated = MessageCrypto("t", B_KEY, B_APPID, previous_encoding_aes_key=OTHER_KEY)
    with pytest.raises(DecryptionError):
        rotated.decrypt(stranger.encrypt(b"x" * 100))


def test_id_mismatch_under_the_previous_key_is_reported_as_such() -> None:
    old_other_app = MessageCrypto("t", OTHER_KEY, "wxanotherapp")
    rotated = MessageCrypto("t", B_KEY, B_APPID, previous_encoding_aes_key=OTHER_KEY)
    with pytest.raises(ReceiveIdMismatch):
        rotated.decrypt(old_other_app.encrypt(b"x" * 100))


def test_id_mismatch_under_the_current_key_survives_the_fallback() -> None:
    other_app = MessageCrypto("t", B_KEY, "wxanotherapp")
    rotated = MessageCrypto("t", B_KEY, B_APPID, previous_encoding_aes_key=OTHER_KEY)
    with pytest.raises(ReceiveIdMismatch):
        rotated.decrypt(other_app.encrypt(b"x" * 100))


# -- hostile ciphertexts -------------------------------------------------------------------


def test_receive_id_mismatch() -> None:
    sender = MessageCrypto("t", B_KEY, "wxanotherapp")
    receiver = MessageCrypto("t", B_KEY, B_APPID)
    with pytest.raises(ReceiveIdMismatch):
        receiver.decrypt(sender.encrypt(b"hello"))


def test_receive_id_must_match_exactly_not_by_prefix() -> None:
    sender = MessageCrypto("t", B_KEY, B_APPID + "x")
    with pytest.raises(ReceiveIdMismatch):
        MessageCrypto("t", B_KEY, B_APPID).decrypt(sender.encrypt(b"hello"))


@pytest.mark.parametrize(
    "ciphertext",
    ["", "not base64!", "QUJD", "ＡＢＣＤ", base64.b64encode(b"x" * 17).decode()],
    ids=["empty", "bad-alphabet", "not-block-aligned", "non-ascii", "17-bytes"],
)
def test_undecodable_ciphertexts(ciphertext: str) -> None:
    with pytest.raises(DecryptionError):
        MessageCrypto("t", B_KEY, B_APPID).decrypt(ciphertext)


@pytest.mark.parametrize(
    "tail",
    [b"\x00", b"\x21", b"\xff", b"\x05\x05\x05\x04\x05"],
    ids=["zero", "33", "255", "inconsistent"],
)
def test_bad_padding(tail: bytes) -> None:
    body = payload(b"hi", B_APPID.encode())
    data = body + b"\x00" * (64 - len(body) - len(tail)) + tail
    with pytest.raises(DecryptionError, match="padding"):
        MessageCrypto("t", B_KEY, B_APPID).decrypt(raw_ciphertext(B_KEY, data))


def test_padding_longer_than_the_data() -> None:
    with pytest.raises(DecryptionError, match="padding"):
        MessageCrypto("t", B_KEY, B_APPID).decrypt(raw_ciphertext(B_KEY, b"\x00" * 15 + b"\x20"))


def test_truncated_payload() -> None:
    data = padded(b"r" * 10)
    with pytest.raises(DecryptionError, match="truncated"):
        MessageCrypto("t", B_KEY, B_APPID).decrypt(raw_ciphertext(B_KEY, data))


def test_declared_length_beyond_the_payload() -> None:
    data = padded(payload(b"hi", B_APPID.encode(), declared=10_000))
    with pytest.raises(DecryptionError, match="length"):
        MessageCrypto("t", B_KEY, B_APPID).decrypt(raw_ciphertext(B_KEY, data))


def test_tampered_ciphertext_fails_cleanly() -> None:
    crypto = MessageCrypto("t", B_KEY, B_APPID)
    raw = bytearray(base64.b64decode(crypto.encrypt(b"hello world" * 5)))
    raw[-1] ^= 0x01
    with pytest.raises(DecryptionError):
        crypto.decrypt(base64.b64encode(bytes(raw)).decode())


# -- envelopes and configuration -------------------------------------------------------------


def test_envelope_signature_is_checked_before_decrypting() -> None:
    crypto = MessageCrypto(CD_TOKEN, CD_KEY, CD_ID)
    body = f"<xml><Encrypt><![CDATA[{D_ENCRYPT}]]></Encrypt></xml>"
    with pytest.raises(InvalidSignature):
        crypto.decrypt_envelope(
            body, msg_signature="0" * 40, timestamp="1411525903", nonce="461056294"
        )


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><ToUserName>gh</ToUserName></xml>",
        b"<xml><Encrypt></Encrypt></xml>",
        b"<xml><Encrypt><a>b</a></Encrypt></xml>",
    ],
)
def test_envelope_without_ciphertext(body: bytes) -> None:
    crypto = MessageCrypto(CD_TOKEN, CD_KEY, CD_ID)
    with pytest.raises(ProtocolError, match="Encrypt"):
        crypto.decrypt_envelope(body, msg_signature="x", timestamp="1", nonce="2")


@pytest.mark.parametrize(
    "key", ["", "short", B_KEY + "H", B_KEY[:-1] + "=", B_KEY[:-1] + "+", B_KEY[:-1] + "é"]
)
def test_encoding_aes_key_must_be_43_alphanumerics(key: str) -> None:
    with pytest.raises(ConfigurationError):
        MessageCrypto("t", key, B_APPID)
    with pytest.raises(ConfigurationError):
        MessageCrypto("t", B_KEY, B_APPID, previous_encoding_aes_key=key)


def test_token_and_receive_id_are_required() -> None:
    with pytest.raises(ConfigurationError):
        MessageCrypto("", B_KEY, B_APPID)
    with pytest.raises(ConfigurationError):
        MessageCrypto("t", B_KEY, "")


def test_repr_hides_secrets() -> None:
    text = repr(MessageCrypto("secret-token", B_KEY, B_APPID))
    assert "secret-token" not in text
    assert B_KEY not in text
    assert B_APPID in text
