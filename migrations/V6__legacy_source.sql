-- V6__legacy_source.sql
-- The legacy file this database serves, as an absolute path: recorded by every phase transition
-- (first by `phase dual-write`), so a command that names another file against this database is
-- refused instead of making the database "equal" to the wrong file. One row: one legacy file
-- migrates into one store (ARCHITECTURE §1). The SQL is the same for both dialects.

CREATE TABLE legacy_source (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    path TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

-- Rollback migration
-- DROP TABLE IF EXISTS legacy_source;
