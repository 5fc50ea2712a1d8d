"""Shequn: a self-hosted platform for a brand's WeChat private domain."""
