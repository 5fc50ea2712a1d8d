"""Typed factory functions that build data through services, as the product does."""
