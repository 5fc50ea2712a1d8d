"""Rewards paid through WeChat Pay on joining a group: campaigns and the payout ledger."""
