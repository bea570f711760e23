"""Every part of a library's internals the project relies on, in one list: what it is,
where we use it, and the line of the library's own code that must still be there for our
use to work. tests/storage/test_library_seams.py reads each seam's `library_code` and
fails, naming the seam, when an upgrade (eventsourcing is held below 9.6) changes one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Seam:
    name: str  # the private method or attribute
    used_in: str  # our module that relies on it
    why: str
    library_code: str  # "module:Qualified.name" of the library function to read
    expects: str  # what that function's source holds (whitespace aside) while our use works


SEAMS: tuple[Seam, ...] = (
    Seam(
        "Application._take_snapshots",
        "domain/application.py",
        "overridden: a saved aggregate is snapshotted as it is in memory, not read back",
        "eventsourcing.application:Application.save",
        "self._take_snapshots(processing_event)",
    ),
    Seam(
        "MetaAggregate._create",
        "domain/chain.py",
        "overridden: the creation event's chain hash is computed from its arguments",
        "eventsourcing.domain:MetaAggregate.__call__",
        "cls._create(",
    ),
    Seam(
        "SQLiteConnectionPool._create_connection",
        "storage/sqlite.py",
        "overridden: connections that leave checkpoints of the log to a thread",
        "eventsourcing.persistence:ConnectionPool._get_connection",
        "self._create_connection()",
    ),
    Seam(
        "SQLiteDatastore.pool (the pool swap)",
        "storage/sqlite.py",
        "replaced after the factory is made; the datastore must look it up on each use",
        "eventsourcing.sqlite:SQLiteDatastore.get_connection",
        "self.pool.get_connection(",
    ),
    Seam(
        "SQLiteConnectionPool.db_name, .lock_timeout",
        "storage/sqlite.py",
        "read from the library's pool to make the swapped one",
        "eventsourcing.sqlite:SQLiteConnectionPool.__init__",
        "self.lock_timeout = lock_timeout",
    ),
    Seam(
        "PostgresDatastore.pool.getconn",
        "api/outage.py",
        "wrapped by the breaker; psycopg_pool's connection() must take connections by it",
        "psycopg_pool:ConnectionPool.connection",
        "self.getconn(",
    ),
    Seam(
        "ListenNotifySubscription._notifications, _notifications_index",
        "projections/subscription.py",
        "next_batch takes what the pull thread has already fetched",
        "eventsourcing.persistence:ListenNotifySubscription.__init__",
        "self._notifications_index: int = 0",
    ),
    Seam(
        "ListenNotifySubscription._notifications_queue",
        "projections/subscription.py",
        "next_batch takes the pages queued ahead",
        "eventsourcing.persistence:ListenNotifySubscription.__init__",
        "self._notifications_queue: Queue[Sequence[Notification]] = Queue(",
    ),
    Seam(
        "ListenNotifySubscription._has_been_notified",
        "projections/subscription.py, projections/postgres.py",
        "set by our timer (SQLite) and our listening loop (PostgreSQL) to wake the pull",
        "eventsourcing.persistence:ListenNotifySubscription.__init__",
        "self._has_been_notified = Event()",
    ),
    Seam(
        "ListenNotifySubscription._thread_error",
        "projections/postgres.py",
        "our listening loop reports its failure there, as the library's does",
        "eventsourcing.persistence:ListenNotifySubscription.__init__",
        "self._thread_error: BaseException | None = None",
    ),
    Seam(
        "Subscription._last_notification_id",
        "projections/subscription.py",
        "the SQLite timer polls slower while it stays the same",
        "eventsourcing.persistence:ListenNotifySubscription._pull",
        "self._last_notification_id = notifications[-1].id",
    ),
    Seam(
        "Subscription._recorder, _has_been_stopped",
        "projections/postgres.py",
        "read by our listening loop",
        "eventsourcing.persistence:Subscription.__init__",
        "self._has_been_stopped = False",
    ),
    Seam(
        "PostgresSubscription._listen",
        "projections/postgres.py",
        "overridden: pulls once LISTEN is in place and after a quiet second",
        "eventsourcing.postgres:PostgresSubscription.__init__",
        "Thread(target=self._listen)",
    ),
    Seam(
        "the SQLite events table's columns",
        "storage/sqlite.py",
        "select_events_of_many reads them by name",
        "eventsourcing.sqlite:SQLiteApplicationRecorder.construct_create_table_statements",
        '"originator_id TEXT, " "originator_version INTEGER, " "topic TEXT, " "state BLOB, "',
    ),
    Seam(
        "PostgresApplicationRecorder._insert_events, _insert_stored_events, "
        "_fetch_ids_after_insert_events",
        "storage/postgres.py",
        "our insert_events runs the library's steps in a plain transaction, not its pipeline",
        "eventsourcing.postgres:PostgresApplicationRecorder.insert_events",
        "notification_ids = self._fetch_ids_after_insert_events( curs, stored_events, **kwargs )",
    ),
    Seam(
        "the PostgreSQL events table's columns",
        "storage/postgres.py",
        "select_events_of_many reads them by name",
        "eventsourcing.postgres:PostgresAggregateRecorder.__init__",
        '"originator_id {originator_id_type} NOT NULL, " "originator_version bigint NOT NULL, "'
        ' "topic text, " "state bytea, "',
    ),
)
