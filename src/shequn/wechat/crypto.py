"""Message encryption shared by official accounts ("safe mode") and WeCom callbacks.

AES-256-CBC with IV = key[:16], PKCS#7 padding to 32-byte blocks, and a plaintext of
random(16) || len(msg) as 4 bytes big-endian || msg || receive_id, where receive_id is the AppID
(official accounts), the CorpID (WeCom self-built apps) or a suite/template id (third parties).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
import re
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from shequn.wechat.exceptions import (
    ConfigurationError,
    DecryptionError,
    ProtocolError,
    ReceiveIdMismatch,
)
from shequn.wechat.signature import sha1_signature, verify_msg_signature
from shequn.wechat.xmlsafe import cdata, parse_xml

__all__ = ["PAD_BLOCK_SIZE", "DecryptedMessage", "MessageCrypto", "decode_encoding_aes_key"]

# WeChat pads to 32 bytes, not to the AES block size; 16-byte unpadding breaks on pads of 17..32.
PAD_BLOCK_SIZE = 32
_RANDOM_LEN = 16
_LEN_PREFIX = struct.Struct(">I")
_HEADER_LEN = _RANDOM_LEN + _LEN_PREFIX.size
_KEY_PATTERN = re.compile(r"[A-Za-z0-9]{43}\Z")


def decode_encoding_aes_key(encoding_aes_key: str) -> bytes:
    """Turn the 43-character EncodingAESKey from the console into the 32-byte AES key."""
    if not _KEY_PATTERN.match(encoding_aes_key):
        raise ConfigurationError("EncodingAESKey must be exactly 43 characters of [A-Za-z0-9]")
    return base64.b64decode(encoding_aes_key + "=")


def _pad(data: bytes) -> bytes:
    amount = PAD_BLOCK_SIZE - len(data) % PAD_BLOCK_SIZE
    return data + bytes([amount]) * amount


def _unpad(data: bytes) -> bytes:
    amount = data[-1]
    if not 1 <= amount <= PAD_BLOCK_SIZE or amount > len(data):
        raise DecryptionError("bad padding")
    if not hmac.compare_digest(data[-amount:], bytes([amount]) * amount):
        raise DecryptionError("bad padding")
    return data[:-amount]


@dataclass(frozen=True, slots=True)
class DecryptedMessage:
    """A decrypted payload and whether it needed the previous (rotated-out) key.

    Replies to such a message should be encrypted with the same previous key (official FAQ).
    """

    plaintext: bytes
    used_previous_key: bool = False


class _AesKey:
    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        self._key = key

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, data: bytes) -> bytes:
        encryptor = self._cipher().encryptor()
        return encryptor.update(data) + encryptor.finalize()

    def decrypt(self, data: bytes) -> bytes:
        decryptor = self._cipher().decryptor()
        return decryptor.update(data) + decryptor.finalize()


class MessageCrypto:
    """Encrypt, decrypt and sign callback payloads for one app (or one WeCom receiver).

    `previous_encoding_aes_key` keeps messages decryptable while the console's key is being
    rotated: the current key is tried first, then the previous one.
    """

    def __init__(
        self,
        token: str,
        encoding_aes_key: str,
        receive_id: str,
        previous_encoding_aes_key: str | None = None,
    ) -> None:
        if not token:
            raise ConfigurationError("token must not be empty")
        if not receive_id:
            raise ConfigurationError("receive_id (AppID / CorpID) must not be empty")
        self.token = token
        self.receive_id = receive_id
        self._receive_id_bytes = receive_id.encode("utf-8")
        self._key = _AesKey(decode_encoding_aes_key(encoding_aes_key))
        self._previous_key = (
            None
            if previous_encoding_aes_key is None
            else _AesKey(decode_encoding_aes_key(previous_encoding_aes_key))
        )

    def __repr__(self) -> str:
        # Never show the token or keys.
        return f"MessageCrypto(receive_id={self.receive_id!r})"

    # -- raw payloads ----------------------------------------------------------------------

    def encrypt(
        self, plaintext: bytes, *, random16: bytes | None = None, use_previous_key: bool = False
    ) -> str:
        """Encrypt `plaintext` and return it base64-encoded, as it goes into <Encrypt>."""
        prefix = os.urandom(_RANDOM_LEN) if random16 is None else random16
        if len(prefix) != _RANDOM_LEN:
            raise ValueError("random16 must be exactly 16 bytes")
        key = self._key
        if use_previous_key:
            if self._previous_key is None:
                raise ConfigurationError("no previous EncodingAESKey is configured")
            key = self._previous_key
        body = prefix + _LEN_PREFIX.pack(len(plaintext)) + plaintext + self._receive_id_bytes
        return base64.b64encode(key.encrypt(_pad(body))).decode("ascii")

    def decrypt(self, ciphertext_b64: str) -> bytes:
        """Decrypt a base64 <Encrypt> value (or WeCom echostr) and return the message bytes."""
        return self.decrypt_detailed(ciphertext_b64).plaintext

    def decrypt_detailed(self, ciphertext_b64: str) -> DecryptedMessage:
        """Like `decrypt`, also telling which key worked."""
        try:
            raw = base64.b64decode(ciphertext_b64, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise DecryptionError("ciphertext is not valid base64") from exc
        if not raw or len(raw) % 16:
            raise DecryptionError("ciphertext length is not a positive multiple of 16")
        try:
            return DecryptedMessage(self._open(self._key, raw))
        except DecryptionError as current_error:
            if self._previous_key is None:
                raise
            try:
                return DecryptedMessage(self._open(self._previous_key, raw), used_previous_key=True)
            except DecryptionError as previous_error:
                # A clean decrypt naming another receiver is the more telling failure.
                if isinstance(previous_error, ReceiveIdMismatch):
                    raise previous_error from None
                raise current_error from None

    def _open(self, key: _AesKey, raw: bytes) -> bytes:
        data = _unpad(key.decrypt(raw))
        if len(data) < _HEADER_LEN:
            raise DecryptionError("decrypted payload is truncated")
        (length,) = _LEN_PREFIX.unpack_from(data, _RANDOM_LEN)
        end = _HEADER_LEN + length
        if end > len(data):
            raise DecryptionError("declared message length exceeds the payload")
        if not hmac.compare_digest(data[end:], self._receive_id_bytes):
            raise ReceiveIdMismatch("message was encrypted for another AppID/CorpID")
        return data[_HEADER_LEN:end]

    # -- envelopes -------------------------------------------------------------------------

    def signature_for(self, timestamp: str, nonce: str, encrypt: str) -> str:
        """The msg_signature WeChat expects over these values."""
        return sha1_signature(self.token, timestamp, nonce, encrypt)

    def encrypt_envelope(
        self,
        reply_xml: str,
        *,
        timestamp: str,
        nonce: str,
        random16: bytes | None = None,
        use_previous_key: bool = False,
    ) -> str:
        """Encrypt a reply into the <Encrypt>/<MsgSignature>/<TimeStamp>/<Nonce> packet."""
        encrypted = self.encrypt(
            reply_xml.encode("utf-8"), random16=random16, use_previous_key=use_previous_key
        )
        signature = self.signature_for(timestamp, nonce, encrypted)
        stamp = timestamp if timestamp.isascii() and timestamp.isdigit() else cdata(timestamp)
        return (
            f"<xml><Encrypt>{cdata(encrypted)}</Encrypt>"
            f"<MsgSignature>{cdata(signature)}</MsgSignature>"
            f"<TimeStamp>{stamp}</TimeStamp>"
            f"<Nonce>{cdata(nonce)}</Nonce></xml>"
        )

    def decrypt_envelope(
        self, body: bytes | str, *, msg_signature: str, timestamp: str, nonce: str
    ) -> bytes:
        """Verify `msg_signature` over the body's <Encrypt>, then decrypt it."""
        return self.open_envelope(
            body, msg_signature=msg_signature, timestamp=timestamp, nonce=nonce
        ).plaintext

    def open_envelope(
        self, body: bytes | str, *, msg_signature: str, timestamp: str, nonce: str
    ) -> DecryptedMessage:
        """Like `decrypt_envelope`, also telling which key worked (to encrypt the reply with)."""
        fields = parse_xml(body)
        encrypted = fields.get("Encrypt")
        if not isinstance(encrypted, str) or not encrypted:
            raise ProtocolError("encrypted packet has no <Encrypt> text")
        verify_msg_signature(self.token, timestamp, nonce, encrypted, msg_signature)
        return self.decrypt_detailed(encrypted)

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """WeCom's GET check: verify the signature over echostr and return it decrypted."""
        verify_msg_signature(self.token, timestamp, nonce, echostr, msg_signature)
        plain = self.decrypt(echostr)
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DecryptionError("decrypted echostr is not UTF-8") from exc
