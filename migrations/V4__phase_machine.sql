-- V4__phase_machine.sql
-- The migration's phase machine (ARCHITECTURE §5): the current phase and epoch in one row, and
-- an audit history of every transition (who, when, why, from, to, result). Validation runs are
-- kept so a guard can ask whether the last full validation was clean.

CREATE TABLE migration_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    phase TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    changed_at TEXT NOT NULL,
    cutover_at TEXT
);

CREATE TABLE migration_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    from_phase TEXT NOT NULL,
    to_phase TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    result TEXT NOT NULL,
    forced BOOLEAN NOT NULL DEFAULT 0,
    detail TEXT
);

CREATE TABLE validation_run (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    clean BOOLEAN NOT NULL,
    summary TEXT NOT NULL
);

-- Rollback migration
-- DROP TABLE IF EXISTS validation_run;
-- DROP TABLE IF EXISTS migration_history;
-- DROP TABLE IF EXISTS migration_state;
