"""Writing inbox rows: one idempotent INSERT per callback, alone or group-committed.

`INSERT … ON CONFLICT DO NOTHING RETURNING id` (SQLite ≥ 3.35 and PostgreSQL) tells in one
statement whether the row is new; Django's bulk_create(ignore_conflicts=True) cannot.

Two writers share that statement:
- `insert_now` runs it in the caller's own transaction (the Django view, tests, replays);
- `GroupCommitWriter` is one thread per process that takes every request waiting at that moment,
  inserts them in ONE transaction and wakes each request only after that commit. Concurrent
  callbacks then cost one commit (and one SQLite write lock) per batch instead of one each.
"""

from __future__ import annotations

import functools
import json
import os
import queue
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.db import DatabaseError, connection, transaction

from shequn.core.logging import get_logger
from shequn.ingest.models import InboundEvent

log = get_logger(__name__)

_COLUMNS = (
    "tenant_id",
    "uid",
    "channel_kind",
    "channel_id",
    "platform",
    "msg_type",
    "event",
    "change_type",
    "dedupe_key",
    "from_user",
    "raw_xml",
    "fields",
    "received_at",
    "state",
    "attempts",
    "last_error",
)


@dataclass
class NewEvent:
    """An inbox row about to be written."""

    tenant_id: int
    channel_kind: str
    channel_id: int
    platform: str
    msg_type: str
    event: str
    change_type: str
    dedupe_key: str
    from_user: str
    raw_xml: str
    fields: dict[str, Any]
    received_at: datetime | None = None  # None: the time it is written
    parked: bool = False
    uid: uuid.UUID | None = None  # None: a fresh UUIDv7 when it is written


@dataclass(frozen=True)
class Inserted:
    event_id: int | None  # None: a row with this dedupe key already existed

    @property
    def is_new(self) -> bool:
        return self.event_id is not None


def _sql(vendor: str) -> str:
    table = InboundEvent._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in _COLUMNS)
    placeholders = ", ".join(
        "CAST(%s AS jsonb)" if c == "fields" and vendor == "postgresql" else "%s" for c in _COLUMNS
    )
    conflict = ", ".join(
        quote(c) for c in ("tenant_id", "channel_kind", "channel_id", "dedupe_key")
    )
    # Identifiers come from the model's own metadata, never from input.
    return (
        f"INSERT INTO {quote(table)} ({columns}) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO NOTHING RETURNING {quote('id')}"
    )


_SQL_BY_VENDOR: dict[str, str] = {}
# 16 parameters a row: well under SQLite's 32766 and PostgreSQL's 65535 per statement.
_ROWS_PER_STATEMENT = 200
_UID_FIELD = InboundEvent._meta.get_field("uid")
_RECEIVED_FIELD = InboundEvent._meta.get_field("received_at")


_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_PARKED = str(InboundEvent.State.PARKED)
_RECEIVED = str(InboundEvent.State.RECEIVED)


def _uid7s(count: int) -> list[uuid.UUID]:
    """`count` RFC 9562 UUIDv7 (as shequn.core.ids.uuid7) from ONE os.urandom call: on a small
    VM the system call costs more than building the ids."""
    ms = (time.time_ns() // 1_000_000) & ((1 << 48) - 1)
    head = (ms << 80) | (0x7 << 76) | (0b10 << 62)
    pool = os.urandom(10 * count)
    ids = []
    for start in range(0, 10 * count, 10):
        rand = int.from_bytes(pool[start : start + 10], "big")
        ids.append(uuid.UUID(int=head | (((rand >> 62) & 0xFFF) << 64) | (rand & ((1 << 62) - 1))))
    return ids


def _batch_params(rows: list[NewEvent]) -> list[Any]:
    """The INSERT parameters of every row: ids, clock and adapters resolved once per batch."""
    if any(row.received_at is None for row in rows):
        now = _RECEIVED_FIELD.get_db_prep_value(datetime.now(UTC), connection)
    else:
        now = None
    native_uuid = connection.features.has_native_uuid_field
    fresh = iter(_uid7s(sum(1 for row in rows if row.uid is None)))
    params: list[Any] = []
    extend = params.extend
    for row in rows:
        if row.uid is None:
            row.uid = next(fresh)
        received = (
            now
            if row.received_at is None
            else _RECEIVED_FIELD.get_db_prep_value(row.received_at, connection)
        )
        extend(
            (
                row.tenant_id,
                row.uid if native_uuid else row.uid.hex,
                row.channel_kind,
                row.channel_id,
                row.platform,
                row.msg_type[:64],
                row.event[:64],
                row.change_type[:64],
                row.dedupe_key[:255],
                row.from_user[:128],
                row.raw_xml,
                _dumps(row.fields),
                received,
                _PARKED if row.parked else _RECEIVED,
                0,
                "",
            )
        )
    return params


def _execute(row: NewEvent) -> Inserted:
    vendor = connection.vendor
    sql = _SQL_BY_VENDOR.get(vendor)
    if sql is None:
        sql = _SQL_BY_VENDOR[vendor] = _sql(vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, _batch_params([row]))
        found = cursor.fetchone()
    return Inserted(int(found[0]) if found else None)


@functools.lru_cache(maxsize=512)
def _batch_sql(vendor: str, rows: int) -> str:
    table = InboundEvent._meta.db_table
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in _COLUMNS)
    one = (
        "("
        + ", ".join(
            "CAST(%s AS jsonb)" if c == "fields" and vendor == "postgresql" else "%s"
            for c in _COLUMNS
        )
        + ")"
    )
    conflict = ", ".join(
        quote(c) for c in ("tenant_id", "channel_kind", "channel_id", "dedupe_key")
    )
    # Identifiers come from the model's own metadata, never from input.
    return (
        f"INSERT INTO {quote(table)} ({columns}) VALUES {', '.join([one] * rows)} "  # noqa: S608
        f"ON CONFLICT ({conflict}) DO NOTHING "
        f"RETURNING {quote('id')}, {quote('tenant_id')}, {quote('channel_kind')}, "
        f"{quote('channel_id')}, {quote('dedupe_key')}"
    )


def _execute_many(rows: list[NewEvent]) -> list[Inserted]:
    """One multi-row INSERT for a whole batch; each row learns whether it was new.

    A key that occurs twice in one batch is new only for its first occurrence.
    """
    params = _batch_params(rows)
    with connection.cursor() as cursor:
        cursor.execute(_batch_sql(connection.vendor, len(rows)), params)
        returned = cursor.fetchall()
    ids = {(t, k, c, d): int(i) for i, t, k, c, d in returned}
    results = []
    for row in rows:
        key = (row.tenant_id, row.channel_kind, row.channel_id, row.dedupe_key[:255])
        results.append(Inserted(ids.pop(key, None)))
    return results


# Called with {tenant_id: [event ids]} for the new, unparked rows once they are committed.
Enqueue = Callable[[dict[int, list[int]]], None]


def enqueue_processing(new_rows: dict[int, list[int]]) -> None:
    from shequn.ingest.tasks import process_batch

    for tenant_id, event_ids in new_rows.items():
        process_batch.enqueue(tenant_id, event_ids)


def insert_now(row: NewEvent, *, enqueue: Enqueue = enqueue_processing) -> Inserted:
    """Insert in the caller's transaction; processing is enqueued when it commits."""
    with transaction.atomic():
        result = _execute(row)
        if result.event_id is not None and not row.parked:
            new = {row.tenant_id: [result.event_id]}
            transaction.on_commit(lambda: enqueue(new))
    return result


class IngestUnavailable(Exception):
    """The inbox could not be written (database down, writer stuck): answer 503, WeChat retries."""


@dataclass
class _Pending:
    row: NewEvent
    on_done: Callable[[], None] | None = None
    done: threading.Event = field(default_factory=threading.Event)
    result: Inserted | None = None
    error: BaseException | None = None

    def settle(self) -> None:
        self.done.set()
        if self.on_done is not None:
            try:
                self.on_done()
            except Exception:
                log.exception("ingest.inbox.notify_failed")

    def outcome(self) -> Inserted:
        """The committed result; IngestUnavailable when the batch failed."""
        if self.error is not None or self.result is None:
            raise IngestUnavailable(str(self.error or "no result"))
        return self.result


class Enqueuer:
    """Hands new rows to the worker queue from its own thread, many batches per task.

    Enqueueing is a database write of its own (one task row per tenant); doing it per batch on
    the writer thread would double the writer's work. Rows are committed before they get here,
    so a crash in between only delays them until the inbox sweeper finds them.
    """

    def __init__(self, enqueue: Enqueue, flush_every: float) -> None:
        self._enqueue = enqueue
        self.flush_every = flush_every
        self._queue: queue.SimpleQueue[dict[int, list[int]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="shequn-ingest-enqueue", daemon=True)
        self._thread.start()

    def put(self, new_rows: dict[int, list[int]]) -> None:
        self._queue.put(new_rows)

    def stop(self) -> None:
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=5)

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                break
            merged: dict[int, list[int]] = defaultdict(list)
            for tenant_id, ids in first.items():
                merged[tenant_id].extend(ids)
            # Sleep instead of waiting on the queue: batches put meanwhile wake nobody.
            time.sleep(self.flush_every)
            while True:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                for tenant_id, ids in more.items():
                    merged[tenant_id].extend(ids)
            try:
                self._enqueue(dict(merged))
            except Exception:
                log.exception("ingest.inbox.enqueue_failed")
                _reset_connection()
        connection.close()


class BatchingThread:
    """A daemon thread started on first use, with the Enqueuer that hands new rows on.

    Subclasses set `thread_name` and implement `_run`; both batching front ends (the WSGI
    writer below and `asgi.CallbackPipeline`) start the same way.
    """

    thread_name = "shequn-ingest-batcher"

    def __init__(self, enqueue: Enqueue, enqueue_every: float) -> None:
        self._enqueue = enqueue
        self.enqueue_every = enqueue_every
        self._enqueuer: Enqueuer | None = None
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start_lock:
            if self._enqueuer is None:
                self._enqueuer = Enqueuer(self._enqueue, self.enqueue_every)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name=self.thread_name, daemon=True
                )
                self._thread.start()


class GroupCommitWriter(BatchingThread):
    """A per-process writer thread batching concurrent inserts into one transaction.

    `linger`: when a batch already holds more than one request (callbacks are arriving
    together), wait this long for more before committing; a lone request is written at once.
    """

    thread_name = "shequn-ingest-writer"

    def __init__(
        self,
        *,
        max_batch: int = 500,
        wait_timeout: float = 10.0,
        linger: float = 0.001,
        enqueue: Enqueue = enqueue_processing,
        enqueue_every: float = 0.02,
    ) -> None:
        super().__init__(enqueue, enqueue_every)
        self.max_batch = max_batch
        self.wait_timeout = wait_timeout
        self.linger = linger
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()

    def submit(self, row: NewEvent) -> Inserted:
        """Block until the row's batch committed; raises IngestUnavailable if it failed."""
        pending = self.submit_nowait(row)
        if not pending.done.wait(self.wait_timeout):
            raise IngestUnavailable("the inbox writer did not answer in time")
        return pending.outcome()

    def submit_nowait(self, row: NewEvent, on_done: Callable[[], None] | None = None) -> _Pending:
        """Queue the row; `on_done` is called from the writer thread once its batch is settled."""
        self.start()
        pending = _Pending(row, on_done=on_done)
        self._queue.put(pending)
        return pending

    def stop(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join(timeout=5)
        if self._enqueuer is not None:
            self._enqueuer.stop()
            self._enqueuer = None

    def _take_batch(self) -> list[_Pending] | None:
        first = self._queue.get()
        if first is None:
            return None
        batch = [first]
        deadline = 0.0
        while len(batch) < self.max_batch:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                if len(batch) < 2 or self.linger <= 0:
                    break
                if not deadline:
                    deadline = time.monotonic() + self.linger
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
            if item is None:
                self._queue.put(None)  # stop after this batch
                break
            batch.append(item)
        return batch

    def _run(self) -> None:
        while True:
            batch = self._take_batch()
            if batch is None:
                connection.close()
                return
            self._write(batch)

    def _write(self, batch: list[_Pending]) -> None:
        outcomes = commit_rows([p.row for p in batch])
        for pending, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, Inserted):
                pending.result = outcome
            else:
                pending.error = outcome
            pending.settle()
        new_rows = new_rows_of([p.row for p in batch], outcomes)
        if new_rows and self._enqueuer is not None:
            self._enqueuer.put(new_rows)


Outcome = Inserted | BaseException


def commit_rows(rows: list[NewEvent]) -> list[Outcome]:
    """Insert every row in ONE transaction; each learns whether it was new once that committed.

    When the batch fails, the rows are retried one by one so a bad row cannot sink its
    neighbours; a row that still fails gets its exception (the caller answers 503).
    """
    try:
        with transaction.atomic():
            results: list[Outcome] = []
            for start in range(0, len(rows), _ROWS_PER_STATEMENT):
                results.extend(_execute_many(rows[start : start + _ROWS_PER_STATEMENT]))
        return results
    except DatabaseError as exc:
        _reset_connection()
        if len(rows) > 1:
            return [outcome for row in rows for outcome in commit_rows([row])]
        log.error("ingest.inbox.write_failed", error=str(exc)[:300])
        return [exc]
    except Exception as exc:
        log.exception("ingest.inbox.writer_crashed")
        _reset_connection()
        return [exc] * len(rows)


def new_rows_of(rows: list[NewEvent], outcomes: list[Outcome]) -> dict[int, list[int]]:
    """{tenant_id: [event ids]} of the committed new rows that the worker should process."""
    found: dict[int, list[int]] = defaultdict(list)
    for row, outcome in zip(rows, outcomes, strict=True):
        if isinstance(outcome, Inserted) and outcome.event_id is not None and not row.parked:
            found[row.tenant_id].append(outcome.event_id)
    return dict(found)


def _reset_connection() -> None:
    """After a database error the connection may be unusable; the next use reconnects."""
    try:
        if connection.in_atomic_block:
            return
        connection.close()
    except DatabaseError:
        pass
