"""Conventions for background work on Django's Tasks API.

- Arguments are ids and plain JSON values; tenant tasks take the workspace id first and run inside
  that tenant's scope, as a system actor, in one transaction.
- Enqueue after commit (`enqueue_on_commit`); the direct form has a loud name.
- A task raises `RetryLater` (or an exception listed in `retry_on`) to be tried again with
  exponential backoff and jitter, up to `max_attempts`; the last failure is kept on the task result.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any, ParamSpec, TypeVar

from django.db import transaction
from django.utils import timezone
from django_tasks.base import Task, task

from shequn.core.actors import acting_as, system_actor
from shequn.core.logging import get_logger

P = ParamSpec("P")
T = TypeVar("T")
log = get_logger(__name__)

ATTEMPT_KWARG = "_attempt"


class RetryLater(Exception):
    """Raised by a task to be tried again later (after `delay`, or the backoff)."""

    def __init__(self, reason: str = "", *, delay: timedelta | None = None) -> None:
        super().__init__(reason)
        self.delay = delay


def backoff_delay(attempt: int, *, base: float = 2.0, cap: float = 3600.0) -> timedelta:
    """Exponential backoff with full jitter: spreads retries of many failed jobs over time."""
    ceiling = min(cap, base * (2 ** (attempt - 1)))
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def enqueue_on_commit(task_obj: Task[Any, Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue when the current transaction commits; nothing is enqueued if it rolls back."""
    transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs))


def enqueue_now_rollback_unsafe(task_obj: Task[Any, Any], *args: Any, **kwargs: Any) -> Any:
    """Enqueue at once, even if the surrounding transaction later rolls back."""
    return task_obj.enqueue(*args, **kwargs)


def _retrying(
    func: Callable[..., T],
    *,
    name: str,
    max_attempts: int,
    retry_on: tuple[type[BaseException], ...],
    task_ref: Callable[[], Task[Any, Any]],
) -> Callable[..., T | None]:
    @functools.wraps(func)
    def run(*args: Any, **kwargs: Any) -> T | None:
        attempt = int(kwargs.pop(ATTEMPT_KWARG, 1))
        try:
            with acting_as(system_actor(name)), transaction.atomic():
                return func(*args, **kwargs)
        except (RetryLater, *retry_on) as exc:  # type: ignore[misc]  # a tuple built at decoration time
            if attempt >= max_attempts:
                log.error("jobs.task.gave_up", task=name, attempt=attempt, error=str(exc))
                raise
            delay = (
                exc.delay if isinstance(exc, RetryLater) and exc.delay else backoff_delay(attempt)
            )
            log.warning(
                "jobs.task.retry",
                task=name,
                attempt=attempt,
                delay_s=delay.total_seconds(),
                error=str(exc),
            )
            task_ref().using(run_after=timezone.now() + delay).enqueue(
                *args, **kwargs, **{ATTEMPT_KWARG: attempt + 1}
            )
            return None

    return run


def _register(
    func: Callable[..., T],
    *,
    name: str,
    queue: str,
    max_attempts: int,
    retry_on: tuple[type[BaseException], ...],
) -> Task[Any, T | None]:
    # The retry wrapper re-enqueues through the Task object that wraps it, made just after.
    holder: list[Task[Any, Any]] = []
    wrapped = _retrying(
        func, name=name, max_attempts=max_attempts, retry_on=retry_on, task_ref=lambda: holder[0]
    )
    created: Task[Any, T | None] = task(queue_name=queue)(wrapped)
    holder.append(created)
    return created


def background_task(
    name: str,
    *,
    queue: str = "default",
    max_attempts: int = 5,
    retry_on: tuple[type[BaseException], ...] = (),
) -> Callable[[Callable[P, T]], Task[P, T | None]]:
    """A task that is not tied to one tenant (e.g. housekeeping that fans out per tenant)."""

    def decorate(func: Callable[P, T]) -> Task[P, T | None]:
        return _register(func, name=name, queue=queue, max_attempts=max_attempts, retry_on=retry_on)

    return decorate


def tenant_task(
    name: str,
    *,
    queue: str = "default",
    max_attempts: int = 5,
    retry_on: tuple[type[BaseException], ...] = (),
) -> Callable[[Callable[P, T]], Task[Any, T | None]]:
    """A task whose first argument is the workspace id; it runs inside that tenant's scope."""

    def decorate(func: Callable[P, T]) -> Task[Any, T | None]:
        from shequn.tenancy.models import Workspace
        from shequn.tenancy.scope import tenant_scope

        @functools.wraps(func)
        def scoped(workspace_id: int, *args: Any, **kwargs: Any) -> T:
            workspace = Workspace.objects.get(pk=workspace_id)
            with tenant_scope(workspace):
                return func(*args, **kwargs)

        return _register(
            scoped, name=name, queue=queue, max_attempts=max_attempts, retry_on=retry_on
        )

    return decorate
