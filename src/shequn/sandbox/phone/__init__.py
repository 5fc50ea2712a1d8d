"""A phone-shaped page to act as one customer by hand (GET /phone/?customer=<id>)."""

from __future__ import annotations

from starlette.routing import BaseRoute

MOUNT = "/phone"


def routes() -> list[BaseRoute]:
    from shequn.sandbox.phone.views import routes as phone_routes

    return phone_routes()
