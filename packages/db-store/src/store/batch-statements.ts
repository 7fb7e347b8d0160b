/** The bulk paths' statements that read the same on both dialects (`?` placeholders). */
export const CHECKPOINT_OF_BATCH =
  'SELECT record_count, digest FROM backfill_batch WHERE first_seq = ?'

export const SAVE_CHECKPOINT = `INSERT INTO backfill_batch (first_seq, record_count, digest, synced_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (first_seq) DO UPDATE SET record_count = excluded.record_count,
         digest = excluded.digest, synced_at = excluded.synced_at`

export const POSITIONS_IN_RANGE = 'SELECT id, seq FROM skill_invocation WHERE seq >= ? AND seq < ?'

export const ENSURE_SESSION = 'INSERT INTO sessions (id) VALUES (?) ON CONFLICT (id) DO NOTHING'
