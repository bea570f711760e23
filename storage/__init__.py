"""Where the log lives: the database URL, eventsourcing's SQLite and PostgreSQL
persistence with our settings (group commit, background checkpoints of SQLite's
write-ahead log, one-query reads of many aggregates), the SQL dialect of the views and
the delivery tables, and the list of the library's private seams the project relies on.
`domain/` never imports it: the application gets its recorder from eventsourcing, which
finds the classes here by the topics storage.database puts in its environment."""
