import { stat } from 'node:fs/promises'
import {
  aggregateDiffs,
  CompletedDurations,
  type FieldDiff,
  invocationDiffs,
  sameInvocation,
} from '@skill-metrics/core'
import { type SkillMetricsStore, storedRecordOf } from '@skill-metrics/db-store'
import {
  type ChangeChain,
  type ChangedInvocation,
  type ChangedSkill,
  changesLeadingTo,
} from '@skill-metrics/json-tracker'
import { readMisses } from '../trackers/dual-write-misses.js'
import type { PassResult } from './pass-result.js'
import { differenceCount, emptyReport, type ValidationReport } from './validation-report.js'

export interface ChangesSinceOptions {
  jsonFile: string
  signal?: AbortSignal
  /** Make the database equal to the changed records first (JSON wins, forward only). */
  sync: boolean
}

/** What `syncChangesSince` synced and compared, shaped as the whole-file pass and comparison are. */
export interface ChangesSinceResult {
  pass: PassResult
  report: ValidationReport
  /** The skills synced and compared, with their positions in the file. */
  skills: ChangedSkill[]
}

/**
 * The work under the writers' lock made proportional to what changed since `earlier`, a full
 * comparison of the file's bytes `earlier.legacyFile.fingerprint`. Every rewrite changes the whole
 * file's hash, so the file is not read again: its current bytes are hashed and the writers' log
 * (`changesLeadingTo`) must lead from the earlier bytes to them, every step a rewrite of ours.
 * Then only the records and skills those rewrites changed, and those the earlier comparison found
 * different, are synced and compared; everything else was equal then and nothing changed it.
 * Null when that cannot be shown (no chain, so a foreign write or an edit behind our back; a record
 * the log does not know; a dual-write miss; records the database holds beyond the file's that our
 * writers did not write since): the caller compares the whole file. Without a sync (the
 * validator's recheck), copies of the newest changes may still be on their way: the validator
 * waits for them before it trusts a difference.
 *
 * At a million invocations the hash reads 240 MB in about a second; reading the file to compare
 * it took about a minute under the lock.
 */
export async function syncChangesSince(
  store: SkillMetricsStore,
  options: ChangesSinceOptions,
  earlier: ValidationReport,
): Promise<ChangesSinceResult | null> {
  const snapshot = earlier.legacyFile.fingerprint
  if (
    snapshot === null ||
    earlier.rejected.length > 0 ||
    (await readMisses(options.jsonFile)).length > 0
  ) {
    return null
  }
  const modifiedAt = await stat(options.jsonFile).then(
    (found) => found.mtime.toISOString(),
    () => null,
  )
  const chain = await changesLeadingTo(options.jsonFile, snapshot)
  options.signal?.throwIfAborted()
  const { current } = chain
  const checked = toCheck(chain, earlier)
  if (checked === null || current === null) return null
  const written = options.sync
    ? await syncChanged(store, checked)
    : { inserted: 0, updated: 0, unchanged: 0 }
  options.signal?.throwIfAborted()
  const length = chain.length ?? earlier.invocations.compared
  // More records than the file's are extra ones, which the whole-file comparison names; fewer
  // are missing ones among the records compared here (all others were there before).
  if ((await store.invocationCount()) > length) return null
  const report = await compareChanged(store, checked)
  report.legacyFile = { fingerprint: current, modifiedAt }
  return {
    report,
    skills: checked.skills,
    pass: {
      read: length,
      inserted: written.inserted,
      updated: written.updated,
      batches: 0,
      skippedBatches: 0,
      displaced: 0,
      rejected: [],
      skills: new Map(checked.skills.map((skill) => [skill.name, skill.aggregate])),
      durations: new CompletedDurations(),
      fingerprint: current,
      restored: [],
      behind: [],
    },
  }
}

interface Checked {
  invocations: ChangedInvocation[]
  skills: ChangedSkill[]
}

/** What changed since the earlier comparison, and what it found different: null when unknown. */
function toCheck(chain: ChangeChain, earlier: ValidationReport): Checked | null {
  if (!chain.linked) return null
  const invocations = [...chain.invocations.values()].filter((change) => change.sinceSnapshot)
  const skills = [...chain.skills.values()].filter((change) => change.sinceSnapshot)
  // A record or skill the database held beyond the file's snapshot is a dual-write copy that
  // landed after the comparison read the file (with many writers, one almost always does): it is
  // no difference when our writers wrote it to the file since, and then it is synced and compared
  // below.
  const writtenSince = new Set(invocations.map(({ id }) => id))
  if (earlier.invocations.extra.some((id) => !writtenSince.has(id))) return null
  if (earlier.skills.extra.some((name) => chain.skills.get(name)?.sinceSnapshot !== true)) {
    return null
  }
  for (const { id, index } of [...earlier.invocations.missing, ...earlier.invocations.mismatched]) {
    const known = chain.invocations.get(index)
    if (known === undefined || known.id !== id) return null
    if (!known.sinceSnapshot) invocations.push(known)
  }
  for (const name of [...earlier.skills.missing, ...earlier.skills.mismatched.map((s) => s.name)]) {
    const known = chain.skills.get(name)
    if (known === undefined) return null
    if (!known.sinceSnapshot) skills.push(known)
  }
  return { invocations, skills }
}

async function syncChanged(store: SkillMetricsStore, checked: Checked) {
  const written = await store.upsertInvocations(
    checked.invocations.map(({ seq, id, record }) => storedRecordOf(record, id, seq)),
  )
  // Percentiles come from the stored records: the log keeps no list of durations.
  await store.setSkillAggregates(
    checked.skills.map(({ name, position, aggregate }) => ({ name, position, aggregate })),
  )
  return written
}

async function compareChanged(
  store: SkillMetricsStore,
  checked: Checked,
): Promise<ValidationReport> {
  const report = emptyReport()
  const stored = await store.invocationsById(checked.invocations.map(({ id }) => id))
  for (const { seq, id, record } of checked.invocations) {
    report.invocations.compared += 1
    const match = stored.get(id)
    if (match === undefined) {
      report.invocations.missing.push({ id, index: seq })
      continue
    }
    const diffs: FieldDiff[] = sameInvocation(record, match) ? [] : invocationDiffs(record, match)
    if (match.seq !== seq) diffs.push({ field: 'position', json: seq, db: match.seq })
    if (diffs.length > 0) report.invocations.mismatched.push({ id, index: seq, diffs })
  }
  const databaseSkills = await store.skillAggregates()
  const positions = new Map([...databaseSkills.keys()].map((name, index) => [name, index]))
  for (const { name, position, aggregate } of checked.skills) {
    report.skills.compared += 1
    const match = databaseSkills.get(name)
    if (match === undefined) {
      report.skills.missing.push(name)
      continue
    }
    const diffs = aggregateDiffs(aggregate, match)
    if (positions.get(name) !== position) {
      diffs.push({ field: 'position', json: position, db: positions.get(name) })
    }
    if (diffs.length > 0) report.skills.mismatched.push({ name, diffs })
  }
  report.clean = differenceCount(report) === 0
  return report
}

/**
 * The backfill's pass under the writers' lock, made proportional to what our writers changed
 * since its bulk pass read the file (`bulk.fingerprint`): only the records and skills their log
 * lists are synced; every other skill keeps the aggregates of the bulk's snapshot, which only the
 * pass under the lock sets. At a million invocations the whole-file pass held every writer for
 * 85 s (the 1M smoke). Null when the log cannot show what changed, or the changed records still
 * differ once synced: the caller syncs the whole file.
 */
export async function syncLoggedChanges(
  store: SkillMetricsStore,
  options: Pick<ChangesSinceOptions, 'jsonFile' | 'signal'>,
  bulk: PassResult,
): Promise<PassResult | null> {
  if (bulk.fingerprint === null) return null
  const earlier = emptyReport()
  earlier.legacyFile = { fingerprint: bulk.fingerprint, modifiedAt: null }
  earlier.rejected = bulk.rejected
  // The snapshot's skills first, all of them: the sync below sets those changed since, and
  // compares positions among all.
  await store.setSkillAggregates(
    [...bulk.skills].map(([name, aggregate], position) => ({
      name,
      position,
      aggregate,
      completedDurations: bulk.durations.of(name),
    })),
  )
  const changed = await syncChangesSince(store, { ...options, sync: true }, earlier)
  if (changed === null || !changed.report.clean) return null
  const skills = new Map(bulk.skills)
  for (const [name, aggregate] of changed.pass.skills) skills.set(name, aggregate)
  // A skill first seen since the snapshot goes after the others, as in the file; anything else
  // (two new skills whose order the log alone cannot show) is left to the whole-file pass.
  const positions = [...skills.keys()]
  for (const { name, position } of changed.skills) {
    if (positions[position] !== name) return null
  }
  return { ...changed.pass, skills, durations: bulk.durations }
}
