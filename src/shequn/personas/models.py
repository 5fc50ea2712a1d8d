"""Persona accounts and the WeCom staff behind them."""
