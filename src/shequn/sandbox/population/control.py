"""Control API for the simulated population, mounted at /sandbox/population/.

GET  /                   status (or the scenarios on offer when none is loaded)
GET  /scenarios          scenario names in scenarios/
POST /load               {"scenario": "demo-baby"} or {"toml": "..."}; replaces a loaded one
POST /start | /pause | /stop
POST /step               {"ticks": n} (n ≤ 1000): simulate n ticks now, moving the clock
GET  /status
GET  /log?since_id=&limit=&action=   the action log
GET  /people?after=&limit=           the simulated customers
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.routing import BaseRoute, Route

from shequn.sandbox.control import ControlError, _body, _handler, _sandbox
from shequn.sandbox.population.people import PERSON
from shequn.sandbox.population.scenario import available, load_scenario
from shequn.sandbox.population.simulator import LOG, Simulator, simulator_of

MAX_STEP = 1000


def _loaded(request: Request) -> Simulator:
    sim = simulator_of(_sandbox(request))
    if sim is None:
        raise ControlError(409, "no scenario loaded; POST /sandbox/population/load first")
    return sim


async def index(request: Request) -> Any:
    sim = simulator_of(_sandbox(request))
    if sim is None:
        return {"loaded": False, "scenarios": available()}
    return {"loaded": True, **sim.status()}


async def scenarios(request: Request) -> Any:
    return {"scenarios": available()}


async def load(request: Request) -> Any:
    body = await _body(request)
    source = body.get("toml") or body.get("scenario")
    if not isinstance(source, str) or not source.strip():
        raise ControlError(400, 'give {"scenario": name} or {"toml": text}')
    scenario = load_scenario(source)
    sandbox = _sandbox(request)
    previous = simulator_of(sandbox)
    if previous is not None:
        await previous.stop()
    sim = Simulator(sandbox, scenario)
    sim.load()
    sandbox.extras["population"] = sim
    return sim.status()


async def start(request: Request) -> Any:
    sim = _loaded(request)
    sim.start()
    return sim.status()


async def pause(request: Request) -> Any:
    sim = _loaded(request)
    await sim.pause()
    return sim.status()


async def stop(request: Request) -> Any:
    sim = _loaded(request)
    await sim.stop()
    return sim.status()


async def step(request: Request) -> Any:
    sim = _loaded(request)
    if sim.state == "running":
        raise ControlError(409, "the simulation is running on the clock; pause it before stepping")
    ticks = (await _body(request)).get("ticks", 1)
    if not isinstance(ticks, int) or not 1 <= ticks <= MAX_STEP:
        raise ControlError(400, f"ticks must be an integer between 1 and {MAX_STEP}")
    await sim.step(ticks)
    return sim.status()


async def status(request: Request) -> Any:
    return _loaded(request).status()


async def log(request: Request) -> Any:
    sim = _loaded(request)
    q = request.query_params
    where = {"action": q["action"]} if q.get("action") else None
    entries = sim.sandbox.store.entries(
        LOG,
        sim.scenario.name,
        since_id=int(q.get("since_id", 0)),
        where=where,
        limit=min(int(q.get("limit", 500)), 5000),
    )
    return {"entries": entries}


async def people(request: Request) -> Any:
    sim = _loaded(request)
    q = request.query_params
    docs = sim.sandbox.store.list(
        PERSON,
        sim.scenario.name,
        after_key=q.get("after"),
        limit=min(int(q.get("limit", 100)), 1000),
    )
    return {"people": docs}


def routes() -> list[BaseRoute]:
    def r(path: str, fn: Any, methods: list[str]) -> Route:
        return Route(path, _handler(fn), methods=methods)

    return [
        r("/", index, ["GET"]),
        r("/scenarios", scenarios, ["GET"]),
        r("/load", load, ["POST"]),
        r("/start", start, ["POST"]),
        r("/pause", pause, ["POST"]),
        r("/stop", stop, ["POST"]),
        r("/step", step, ["POST"]),
        r("/status", status, ["GET"]),
        r("/log", log, ["GET"]),
        r("/people", people, ["GET"]),
    ]
