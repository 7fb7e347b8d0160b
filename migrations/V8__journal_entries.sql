-- V8__journal_entries.sql
-- The group-commit journal's entries applied to this database (ARCHITECTURE §5): once the database
-- is the source of truth, the journal beside the legacy file (changes written by writers that did
-- not hold the lock, the Python client among them) drains here, and each entry's row is written
-- in the same transaction as its change, so a replay after a crash never applies it twice. The
-- row keeps what applying it gave (the invocation's id, position and completion sequence) for the
-- writer waiting on it. The SQL is the same for both dialects.

CREATE TABLE journal_entry (
    entry_id TEXT PRIMARY KEY,
    invocation_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    completion_seq INTEGER,
    applied_at TEXT NOT NULL
);

-- Rollback migration
-- DROP TABLE IF EXISTS journal_entry;
