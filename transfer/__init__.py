"""Moving a whole service from one database to another (SQLite to PostgreSQL, or back):
`export_log` writes every stored event as a JSON line, `import_log` loads such a file into
an empty database, byte for byte and at the same log positions, then rebuilds the
projections there. Imports domain, projections and webhooks; only the edges import it."""
