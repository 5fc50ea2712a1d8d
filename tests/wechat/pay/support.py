"""Constants and the fake Pay platform the tests share."""

from __future__ import annotations

NOW = 1_735_000_000  # 2024-12-24, fixed so timestamp checks are deterministic
API_V3_KEY = "0123456789abcdefABCDEF0123456789"
PUB_KEY_ID = "PUB_KEY_ID_0114232134912410000000000000"
MCHID = "1900009191"
MERCHANT_SERIAL = "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"


def fixed_now() -> float:
    return float(NOW)
