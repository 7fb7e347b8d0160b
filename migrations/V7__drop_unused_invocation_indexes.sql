-- V7__drop_unused_invocation_indexes.sql
-- skill-metrics: optional
-- Four of V1's indexes on skill_invocation serve no query of ours nor of the original design
-- (migrations/README.md, "Indexes on skill_invocation", has each query with its EXPLAIN), yet
-- every insert paid for them: without them the reference load of a million invocations into the
-- real table (bench/index-floor.mjs) ran at 1.5–2.4× the throughput on SQLite, 1.7–1.8× on
-- PostgreSQL (two runs on a loaded machine).
-- skill_name alone is the prefix of skill_time, which answers every query by skill; completed
-- selects half the table (SQLite even chose it over skill_time for the percentiles, reading half
-- the table per skill); nothing reads by invoked_at alone; and no code deletes sessions, the only
-- reader of session_id's index (ON DELETE SET NULL). Shared by both dialects: the statements are
-- the same.

DROP INDEX IF EXISTS idx_skill_invocation_skill_name;
DROP INDEX IF EXISTS idx_skill_invocation_invoked_at;
DROP INDEX IF EXISTS idx_skill_invocation_session_id;
DROP INDEX IF EXISTS idx_skill_invocation_completed;

-- Rollback migration
-- CREATE INDEX idx_skill_invocation_skill_name ON skill_invocation(skill_name);
-- CREATE INDEX idx_skill_invocation_invoked_at ON skill_invocation(invoked_at DESC);
-- CREATE INDEX idx_skill_invocation_session_id ON skill_invocation(session_id);
-- CREATE INDEX idx_skill_invocation_completed ON skill_invocation(completed);
