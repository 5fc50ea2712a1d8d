"""Placeholder."""

from __future__ import annotations

from shequn.sandbox.endpoints import Area
from shequn.sandbox.officialaccount.quotas import DAILY_QUOTAS
from shequn.sandbox.officialaccount.tokens import oa_access_token

area = Area("datacube", authenticate=oa_access_token, quotas=DAILY_QUOTAS)
