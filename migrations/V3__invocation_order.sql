-- V3__invocation_order.sql
-- skill-metrics: requires sqlite 3.35.0
-- What exactness needs (ARCHITECTURE §4): an invocation's position in the legacy file (seq) and
-- the completion sequence its completion carried (the sum of all skill totals right after it),
-- and each skill's position in the file's skills map and the sequence of its last completion, so
-- a regenerated legacy file comes out in the same order with the same ids.

ALTER TABLE skill_invocation ADD COLUMN seq INTEGER;
ALTER TABLE skill_invocation ADD COLUMN completion_seq INTEGER;
CREATE UNIQUE INDEX idx_skill_invocation_seq ON skill_invocation(seq);

ALTER TABLE skill_metrics ADD COLUMN position INTEGER;
ALTER TABLE skill_metrics ADD COLUMN last_completion_seq INTEGER;
CREATE UNIQUE INDEX idx_skill_metrics_position ON skill_metrics(position);

-- Rollback migration
-- DROP INDEX IF EXISTS idx_skill_metrics_position;
-- ALTER TABLE skill_metrics DROP COLUMN last_completion_seq;
-- ALTER TABLE skill_metrics DROP COLUMN position;
-- DROP INDEX IF EXISTS idx_skill_invocation_seq;
-- ALTER TABLE skill_invocation DROP COLUMN completion_seq;
-- ALTER TABLE skill_invocation DROP COLUMN seq;
