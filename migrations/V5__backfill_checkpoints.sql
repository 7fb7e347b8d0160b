-- V5__backfill_checkpoints.sql
-- What lets `data migrate` resume after a kill and rerun cheaply: for each batch of the legacy
-- file's records (by position), a digest of the records it last made the database equal to,
-- written in the same transaction as those records. A batch whose digest still matches the file
-- is skipped; any change to a record in the file changes its batch's digest. A validation that
-- finds the database differing from the file clears them all, so the next run compares every
-- record again.

CREATE TABLE backfill_batch (
    first_seq INTEGER PRIMARY KEY,
    record_count INTEGER NOT NULL,
    digest TEXT NOT NULL,
    synced_at TEXT NOT NULL
);

-- Rollback migration
-- DROP TABLE IF EXISTS backfill_batch;
