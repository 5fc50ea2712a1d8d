"""The WeChat protocol: official accounts, WeCom and WeChat Pay v3.

Pure Python; imports nothing from Django or the rest of Shequn (enforced by import-linter).
"""
