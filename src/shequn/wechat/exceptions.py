"""The root of every error the protocol library raises.

Callers catch these, never a parser's, a cipher's or an HTTP library's own exceptions.
"""

from __future__ import annotations


class WeChatError(Exception):
    """Base of everything `shequn.wechat` raises."""


class ProtocolError(WeChatError):
    """Inbound data that does not follow the protocol; nothing about it can be trusted."""


class InvalidSignature(ProtocolError):
    """A signature or msg_signature did not match (forged, altered, or a wrong token)."""


class MalformedXML(ProtocolError):
    """The body is not well-formed XML, or uses DTDs, entities or other forbidden constructs."""


class PayloadTooLarge(ProtocolError):
    """The body is larger than the configured cap; it was not parsed."""


class DecryptionError(ProtocolError):
    """Ciphertext that is not valid base64, not block aligned, badly padded or truncated."""


class ReceiveIdMismatch(DecryptionError):
    """The decrypted message names another AppID/CorpID than the one it was sent to."""


class ConfigurationError(WeChatError):
    """Credentials or keys given to the library are malformed (e.g. a wrong-size AES key)."""
