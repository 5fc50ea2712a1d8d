"""Background tasks: enqueued after commit, run in their tenant's scope, retried with backoff."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shequn.core.actors import current_actor
from shequn.jobs.tasks import (
    ATTEMPT_KWARG,
    RetryLater,
    background_task,
    backoff_delay,
    enqueue_on_commit,
    tenant_task,
)
from shequn.tenancy.scope import current_tenant
from tests.conftest import World

SEEN: list[dict[str, Any]] = []


@tenant_task("tests.record_scope")
def record_scope(label: str) -> str:
    tenant = current_tenant()
    SEEN.append({"tenant": tenant, "actor": current_actor(), "label": label})
    return tenant.slug if tenant else ""


@tenant_task("tests.always_later", max_attempts=3)
def always_later() -> None:
    raise RetryLater("upstream busy")


@tenant_task("tests.later_fixed_delay", max_attempts=3)
def later_fixed_delay() -> None:
    raise RetryLater("quota", delay=timedelta(minutes=10))


class FlakyError(Exception):
    pass


@background_task("tests.flaky", max_attempts=2, retry_on=(FlakyError,))
def flaky() -> None:
    raise FlakyError("network")


@background_task("tests.noop")
def noop() -> int:
    return 1


def _queued(task_path_part: str) -> list[DBTaskResult[Any, Any]]:
    return [r for r in DBTaskResult.objects.all() if task_path_part in r.task_path]


@pytest.fixture(autouse=True)
def _clear() -> None:
    SEEN.clear()


def test_enqueue_on_commit_does_nothing_when_the_transaction_rolls_back(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    def failing_write() -> None:
        with transaction.atomic():
            enqueue_on_commit(noop)
            raise RuntimeError("the write failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_write()
    assert callbacks == []
    assert _queued("noop") == []
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue_on_commit(noop)
        assert _queued("noop") == []  # not before the commit
    assert len(callbacks) == 1
    assert len(_queued("noop")) == 1


def test_tenant_task_runs_in_the_workspace_scope_as_the_system(world: World) -> None:
    assert record_scope.call(world.b.workspace.pk, "hello") == "longjing"
    assert SEEN[0]["tenant"] == world.b.workspace
    assert SEEN[0]["actor"].kind == "system"
    assert SEEN[0]["actor"].label == "tests.record_scope"
    assert current_tenant() is None  # and the scope does not leak out


def test_retry_later_reenqueues_with_backoff_then_gives_up(world: World) -> None:
    ws = world.a.workspace
    before = timezone.now()
    assert always_later.call(ws.pk) is None
    [retry] = _queued("always_later")
    assert retry.args_kwargs["args"] == [ws.pk]
    assert retry.args_kwargs["kwargs"] == {ATTEMPT_KWARG: 2}
    assert before + timedelta(seconds=1) <= retry.run_after <= timezone.now() + timedelta(seconds=2)
    assert always_later.call(ws.pk, **{ATTEMPT_KWARG: 2}) is None
    assert len(_queued("always_later")) == 2
    with pytest.raises(RetryLater):
        always_later.call(ws.pk, **{ATTEMPT_KWARG: 3})
    assert len(_queued("always_later")) == 2  # gave up: nothing more queued


def test_retry_later_with_an_explicit_delay(world: World) -> None:
    later_fixed_delay.call(world.a.workspace.pk)
    [retry] = _queued("later_fixed_delay")
    wait = retry.run_after - timezone.now()
    assert timedelta(minutes=9) < wait <= timedelta(minutes=10)


def test_listed_exceptions_are_retried_too(db: None) -> None:
    assert flaky.call() is None
    assert len(_queued("flaky")) == 1
    with pytest.raises(FlakyError):
        flaky.call(**{ATTEMPT_KWARG: 2})


def test_backoff_grows_and_is_capped() -> None:
    for attempt, ceiling in ((1, 2), (2, 4), (5, 32)):
        for _ in range(20):
            delay = backoff_delay(attempt).total_seconds()
            assert ceiling / 2 <= delay <= ceiling
    assert backoff_delay(40).total_seconds() <= 3600
