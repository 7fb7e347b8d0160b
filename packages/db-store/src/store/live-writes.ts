import {
  type AppliedEntry,
  applyCompletion,
  BugError,
  type Clock,
  completionOptionsOf,
  finishedRecord,
  invocationId,
  type JournalEntry,
  type LegacyInvocation,
  naiveSecondsBetween,
  type SkillAggregate,
  toNaiveLocalIso,
} from '@skill-metrics/core'
import type { SqlSession } from '../schema/sql-session.js'
import { ENSURE_SESSION } from './batch-statements.js'
import { asText, nullSafeEqualsParameter, sqlBoolean } from './dialect-sql.js'
import { INSERT_COLUMNS, SCHEMA_VERSION_WRITTEN } from './invocation-rows.js'
import { readSkillAggregates, saveSkill } from './skill-aggregates.js'
import type { CompleteInvocation, PendingInvocation } from './store-types.js'

/**
 * Writes a new invocation as pending, in the caller's transaction: its id is uuid v5 of its
 * identity and its occurrence among the stored records with the same skill, time and path
 * (ARCHITECTURE §4).
 */
export async function insertPending(
  sql: SqlSession,
  invocation: PendingInvocation,
): Promise<{ id: string; seq: number }> {
  let id = invocation.id
  if (id === undefined) {
    const [same] = await sql.rows<{ n: number | string }>(
      `SELECT COUNT(*) AS n FROM skill_invocation WHERE skill_name = ? AND invoked_at = ? AND workflow_path ${nullSafeEqualsParameter(sql.dialect)}`,
      [invocation.skill_name, invocation.invoked_at, invocation.workflow_path],
    )
    id = invocationId(
      invocation.skill_name,
      invocation.invoked_at,
      invocation.workflow_path,
      Number(same!.n),
    )
  }
  const seq =
    invocation.seq ?? (await nextValue(sql, 'COALESCE(MAX(seq), -1) + 1', 'skill_invocation'))
  if (invocation.session_id !== null) await sql.rows(ENSURE_SESSION, [invocation.session_id])
  await sql.rows(
    `INSERT INTO skill_invocation (${INSERT_COLUMNS})
     VALUES (?, ?, ?, ?, ?, NULL, NULL, ?, '[]', ?, ?, NULL)
     ON CONFLICT (id) DO NOTHING`,
    [
      id,
      invocation.skill_name,
      invocation.invoked_at,
      invocation.workflow_path,
      sqlBoolean(sql.dialect, false),
      invocation.session_id,
      SCHEMA_VERSION_WRITTEN,
      seq,
    ],
  )
  return { id, seq }
}

/**
 * Completes (or abandons) a stored invocation in the caller's transaction and moves its skill's
 * and session's aggregates with it: forward only and exactly once.
 */
export async function completeStored(
  sql: SqlSession,
  id: string,
  {
    completed = true,
    followUpActions = [],
    errorType = null,
    durationSeconds,
    completionSeq: carried,
  }: CompleteInvocation,
  clock: Clock,
): Promise<number | null> {
  const [row] = await sql.rows<{
    skill_name: string
    invoked_at: string
    workflow_path: string | null
    session_id: string | null
    duration_seconds: number | null
  }>(
    // Two writers may copy the same completion (a group-commit holder's batch and the writer
    // itself): PostgreSQL's row lock makes the second read the first's commit; SQLite's write
    // transactions already run one at a time (BEGIN IMMEDIATE).
    `SELECT skill_name, invoked_at, workflow_path, session_id, duration_seconds FROM skill_invocation WHERE id = ?${sql.dialect === 'postgres' ? ' FOR UPDATE' : ''}`,
    [id],
  )
  if (row === undefined) throw new BugError(`no stored invocation has the id ${id}`)
  if (row.duration_seconds !== null) return null
  const finished: LegacyInvocation = {
    skill_name: row.skill_name,
    invoked_at: row.invoked_at,
    workflow_path: row.workflow_path,
    completed,
    duration_seconds:
      durationSeconds ?? naiveSecondsBetween(row.invoked_at, toNaiveLocalIso(clock.now())),
    follow_up_actions: [...followUpActions],
    error_type: errorType,
  }
  // The file's natural completion sequence: the sum of all skill totals after this completion.
  const completionSeq =
    carried ?? (await nextValue(sql, 'COALESCE(SUM(total_invocations), 0) + 1', 'skill_metrics'))
  await sql.rows(
    `UPDATE skill_invocation SET completed = ?, duration_seconds = ?, follow_up_actions = ?, error_type = ?,
       completion_seq = ? WHERE id = ? AND duration_seconds IS NULL`,
    [
      sqlBoolean(sql.dialect, completed),
      finished.duration_seconds,
      JSON.stringify(finished.follow_up_actions),
      errorType,
      completionSeq,
      id,
    ],
  )
  await applyToSkill(sql, finished, completionSeq)
  if (row.session_id !== null) await applyToSession(sql, row.session_id, finished)
  return completionSeq
}

/**
 * Applies one journal entry with the database as the truth, in the caller's transaction, exactly
 * once: an entry already on record (a replay after a crash) gives what it gave then.
 */
export async function applyJournalEntry(
  sql: SqlSession,
  entry: JournalEntry,
  clock: Clock,
): Promise<AppliedEntry> {
  const [done] = await sql.rows<{
    invocation_id: string
    seq: number | string
    completion_seq: number | string | null
  }>('SELECT invocation_id, seq, completion_seq FROM journal_entry WHERE entry_id = ?', [
    entry.entry,
  ])
  if (done !== undefined) {
    return {
      entry: entry.entry,
      id: done.invocation_id,
      seq: Number(done.seq),
      completion_seq: done.completion_seq === null ? null : Number(done.completion_seq),
    }
  }
  let applied: { id: string; seq: number }
  let completionSeq: number | null = null
  if (entry.kind === 'complete') {
    const [stored] = await sql.rows<{ seq: number | string }>(
      'SELECT seq FROM skill_invocation WHERE id = ?',
      [entry.id],
    )
    // Started in the file and never copied here (a dual-write miss): it enters as it started.
    applied =
      stored === undefined
        ? await insertPending(sql, { ...entry.started, id: entry.id, session_id: entry.session_id })
        : { id: entry.id, seq: Number(stored.seq) }
    completionSeq = await completeStored(
      sql,
      entry.id,
      completionOptionsOf(finishedRecord(entry.started, entry.completion)),
      clock,
    )
  } else {
    applied = await insertPending(sql, { ...entry.record, session_id: entry.session_id })
    if (entry.kind === 'invocation') {
      completionSeq = await completeStored(
        sql,
        applied.id,
        completionOptionsOf(entry.record),
        clock,
      )
    }
  }
  await sql.rows(
    'INSERT INTO journal_entry (entry_id, invocation_id, seq, completion_seq, applied_at) VALUES (?, ?, ?, ?, ?)',
    [entry.entry, applied.id, applied.seq, completionSeq, clock.now().toISOString()],
  )
  return { entry: entry.entry, ...applied, completion_seq: completionSeq }
}

async function applyToSkill(sql: SqlSession, finished: LegacyInvocation, completionSeq: number) {
  const [stored] = await readSkillAggregates(sql, finished.skill_name)
  const lastSeq = stored?.lastCompletionSeq ?? null
  const outOfOrder = lastSeq !== null && completionSeq < lastSeq
  const skills = new Map<string, SkillAggregate>()
  // Only a completion out of order needs the aggregate as it was beside the one it changes.
  if (stored !== undefined) {
    skills.set(
      finished.skill_name,
      outOfOrder ? structuredClone(stored.aggregate) : stored.aggregate,
    )
  }
  const aggregate = applyCompletion(skills, finished)
  if (stored !== undefined && outOfOrder) {
    await keepFileOrder(sql, aggregate, stored.aggregate, finished, completionSeq)
  }
  const position =
    stored?.position ?? (await nextValue(sql, 'COALESCE(MAX(position), -1) + 1', 'skill_metrics'))
  await saveSkill(
    sql,
    finished.skill_name,
    aggregate,
    Number(position),
    Math.max(completionSeq, lastSeq ?? completionSeq),
  )
}

/**
 * A completion that reaches the database after one that followed it in the file (two writers
 * release the file's lock in one order and commit in the other): the file's order still decides.
 * `last_invoked` stays the later completion's, and a key this completion adds to a counter map
 * goes before the keys that only later completions brought, as the file has them.
 */
async function keepFileOrder(
  sql: SqlSession,
  aggregate: SkillAggregate,
  before: SkillAggregate,
  finished: LegacyInvocation,
  completionSeq: number,
): Promise<void> {
  const later = await sql.rows<{
    workflow_path: string | null
    error_type: string | null
    follow_up_actions: string
  }>(
    `SELECT workflow_path, error_type, ${asText(sql.dialect, 'follow_up_actions')} FROM skill_invocation
     WHERE skill_name = ? AND completion_seq > ?`,
    [aggregate.skill_name, completionSeq],
  )
  aggregate.last_invoked = before.last_invoked
  // Every completion the skill had came later in the file: this one created it there.
  if (before.total_invocations === later.length) aggregate.first_invoked = finished.invoked_at
  const counts = (values: Array<string | null>) => {
    const found = new Map<string, number>()
    for (const value of values) if (value) found.set(value, (found.get(value) ?? 0) + 1)
    return found
  }
  aggregate.workflow_paths = placeNewKeys(
    aggregate.workflow_paths,
    before.workflow_paths,
    counts(later.map((row) => row.workflow_path)),
  )
  aggregate.common_errors = placeNewKeys(
    aggregate.common_errors,
    before.common_errors,
    counts(later.map((row) => row.error_type)),
  )
  aggregate.follow_up_actions = placeNewKeys(
    aggregate.follow_up_actions,
    before.follow_up_actions,
    counts(later.flatMap((row) => JSON.parse(row.follow_up_actions) as string[])),
  )
}

/** Moves the keys `after` gained over `before` ahead of the first key only later completions hold. */
function placeNewKeys(
  after: Map<string, number>,
  before: Map<string, number>,
  fromLater: Map<string, number>,
): Map<string, number> {
  const added = [...after.keys()].filter((key) => !before.has(key))
  const firstLaterOnly = [...before.keys()].find((key) => before.get(key) === fromLater.get(key))
  if (added.length === 0 || firstLaterOnly === undefined) return after
  const placed = new Map<string, number>()
  for (const key of before.keys()) {
    if (key === firstLaterOnly) for (const newKey of added) placed.set(newKey, after.get(newKey)!)
    placed.set(key, after.get(key)!)
  }
  return placed
}

async function applyToSession(sql: SqlSession, sessionId: string, finished: LegacyInvocation) {
  await sql.rows(
    `INSERT INTO session_skill (id, session_id, skill_name, invocation_count, first_invoked_at, last_invoked_at,
       total_duration_seconds)
     VALUES (?, ?, ?, 1, ?, ?, ?)
     ON CONFLICT (session_id, skill_name) DO UPDATE SET invocation_count = session_skill.invocation_count + 1,
       last_invoked_at = excluded.last_invoked_at,
       total_duration_seconds = session_skill.total_duration_seconds + excluded.total_duration_seconds`,
    [
      invocationId(sessionId, finished.skill_name, 'session_skill', 0),
      sessionId,
      finished.skill_name,
      finished.invoked_at,
      finished.invoked_at,
      finished.completed && finished.duration_seconds ? finished.duration_seconds : 0,
    ],
  )
}

/** The next free number of a column, from an aggregate over its table. */
async function nextValue(sql: SqlSession, next: string, table: string): Promise<number> {
  const [row] = await sql.rows<{ next: number | string }>(`SELECT ${next} AS next FROM ${table}`)
  return Number(row!.next)
}
