"""Simulated customers: scenario files, a seeded simulator on the sandbox clock, control API.

Platform hooks: no WeChat-compatible routes of its own; `control_routes()` mounts the control
API at /sandbox/population/; `setup()` gives each sandbox a place for its simulator.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from shequn.sandbox.context import Sandbox


def routes() -> list[BaseRoute]:
    return []


def control_routes() -> list[BaseRoute]:
    from shequn.sandbox.population.control import routes as population_routes

    return population_routes()


def setup(sandbox: Sandbox) -> None:
    sandbox.extras.setdefault("population", None)
