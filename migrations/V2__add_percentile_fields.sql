-- V2__add_percentile_fields.sql
-- skill-metrics: requires sqlite 3.35.0
-- The percentile columns hold the current p50/p95/p99 of the skill's completed durations, kept
-- exact by the store on every completion and backfill. The rollback drops columns, which SQLite
-- can do from 3.35.0 on.

ALTER TABLE skill_metrics ADD COLUMN p50_duration_seconds REAL;
ALTER TABLE skill_metrics ADD COLUMN p95_duration_seconds REAL;
ALTER TABLE skill_metrics ADD COLUMN p99_duration_seconds REAL;

UPDATE skill_metrics SET schema_version = 2;

-- Rollback migration
-- UPDATE skill_metrics SET schema_version = 1;
-- ALTER TABLE skill_metrics DROP COLUMN p99_duration_seconds;
-- ALTER TABLE skill_metrics DROP COLUMN p95_duration_seconds;
-- ALTER TABLE skill_metrics DROP COLUMN p50_duration_seconds;
