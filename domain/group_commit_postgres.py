"""Group commit on PostgreSQL (apart, because psycopg is installed only to use it)."""

from eventsourcing.postgres import PostgresApplicationRecorder

from domain.group_commit import GroupCommit


class GroupCommitPostgresApplicationRecorder(GroupCommit, PostgresApplicationRecorder):
    pass
