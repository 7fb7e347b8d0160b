-- V2__add_percentile_fields.sql
-- The percentile columns hold the current p50/p95/p99 of the skill's completed durations, kept
-- exact by the store on every completion and backfill. The rollback drops columns.

ALTER TABLE skill_metrics ADD COLUMN p50_duration_seconds DOUBLE PRECISION;
ALTER TABLE skill_metrics ADD COLUMN p95_duration_seconds DOUBLE PRECISION;
ALTER TABLE skill_metrics ADD COLUMN p99_duration_seconds DOUBLE PRECISION;

UPDATE skill_metrics SET schema_version = 2;

-- Rollback migration
-- UPDATE skill_metrics SET schema_version = 1;
-- ALTER TABLE skill_metrics DROP COLUMN p99_duration_seconds;
-- ALTER TABLE skill_metrics DROP COLUMN p95_duration_seconds;
-- ALTER TABLE skill_metrics DROP COLUMN p50_duration_seconds;
