import { readdir } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import {
  REPORT_TOP,
  type ReportDay,
  type ReportMigration,
  type ReportModel,
  type ReportSkill,
  type SkillMetrics,
} from '@skill-metrics/core'
import { type DatabaseTarget, SkillMetricsStore } from '@skill-metrics/db-store'
import { readMetrics, readWriterState } from '@skill-metrics/json-tracker'
import { type ReadSource, readSourceOf } from '../phases/phase-copy.js'
import { readMismatches } from '../trackers/dual-read-mismatches.js'
import { readMisses } from '../trackers/dual-write-misses.js'
import { refuseArchivedFile } from '../trackers/open-tracker.js'
import { legacyArchiveOf } from './cleanup.js'
import { databaseStatus } from './status.js'

export interface ReportModelOptions {
  jsonFile: string
  db: DatabaseTarget
  /** Where the numbers come from; by default where the phase reads from, as `metrics`. */
  source?: ReadSource
}

/**
 * What `report --html` shows, from one streaming pass over the legacy file (its aggregates,
 * durations and days at once) or from the database's own counts; with the migration's record
 * when one was ever started.
 */
export async function reportModelOf(options: ReportModelOptions): Promise<ReportModel> {
  const source = options.source ?? (await readSourceOf(options.jsonFile))
  const { metrics, perDay, abandonedErrors } =
    source === 'json' ? await fromLegacyFile(options.jsonFile) : await fromDatabase(options.db)
  const skills = [...metrics.values()].map((skill) =>
    reportSkillOf(skill, abandonedErrors.get(skill.skill_name) ?? new Map()),
  )
  return {
    title: source === 'json' ? options.jsonFile : options.db.display,
    generatedAt: new Date().toISOString(),
    source,
    totals: {
      invocations: sum(skills.map((skill) => skill.invocations)),
      completed: sum(skills.map((skill) => skill.completed)),
      abandoned: sum(skills.map((skill) => skill.abandoned)),
      skills: skills.length,
    },
    skills,
    perDay,
    workflowPaths: mostUsed([...metrics.values()].map((skill) => skill.workflow_paths)),
    followUpActions: mostUsed([...metrics.values()].map((skill) => skill.follow_up_actions)),
    migration: await migrationOf(options.jsonFile, options.db),
  }
}

async function fromLegacyFile(jsonFile: string) {
  await refuseArchivedFile(jsonFile)
  let days = new Map<string, ReportDay>()
  let abandonedErrors = new Map<string, Map<string, number>>()
  const metrics = await readMetrics(jsonFile, () => {
    days = new Map()
    abandonedErrors = new Map()
    return (invocation) => {
      // Counted as the aggregates count: only the runs whose completer ran.
      if (invocation.duration_seconds === null) return
      const day = invocation.invoked_at.slice(0, 10)
      const counts = days.get(day) ?? { day, completed: 0, abandoned: 0 }
      if (invocation.completed) counts.completed += 1
      else counts.abandoned += 1
      days.set(day, counts)
      if (!invocation.completed && invocation.error_type) {
        const errors = abandonedErrors.get(invocation.skill_name) ?? new Map<string, number>()
        errors.set(invocation.error_type, (errors.get(invocation.error_type) ?? 0) + 1)
        abandonedErrors.set(invocation.skill_name, errors)
      }
    }
  })
  const perDay = [...days.values()].sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))
  return { metrics, perDay, abandonedErrors }
}

async function fromDatabase(target: DatabaseTarget) {
  const store = await SkillMetricsStore.open({ target })
  try {
    return {
      metrics: await store.getAllMetrics(),
      perDay: await store.invocationsPerDay(),
      abandonedErrors: await store.abandonedErrors(),
    }
  } finally {
    await store.close()
  }
}

function reportSkillOf(metrics: SkillMetrics, abandonedErrors: Map<string, number>): ReportSkill {
  return {
    name: metrics.skill_name,
    invocations: metrics.total_invocations,
    completed: metrics.completed_invocations,
    abandoned: metrics.abandoned_invocations,
    completionRate: metrics.completion_rate,
    p50: metrics.p50_duration_seconds,
    p95: metrics.p95_duration_seconds,
    p99: metrics.p99_duration_seconds,
    errors: byCount(abandonedErrors),
  }
}

/** Counters summed over the skills, most first (ties by name), the first `REPORT_TOP`. */
function mostUsed(counters: Array<Map<string, number>>): Array<[string, number]> {
  const summed = new Map<string, number>()
  for (const counter of counters) {
    for (const [key, count] of counter) summed.set(key, (summed.get(key) ?? 0) + count)
  }
  return byCount(summed).slice(0, REPORT_TOP)
}

const byCount = (counter: Map<string, number>): Array<[string, number]> =>
  [...counter].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0)

/** The migration's record, or null when none was ever started (or the database cannot say). */
async function migrationOf(
  jsonFile: string,
  target: DatabaseTarget,
): Promise<ReportMigration | null> {
  const database = await databaseStatus(target)
  if (database.phase === undefined || database.history.length === 0) return null
  const [misses, mismatches, writerState, backups, archive] = await Promise.all([
    readMisses(jsonFile),
    readMismatches(jsonFile),
    readWriterState(jsonFile).catch(() => null),
    backupsOf(jsonFile),
    legacyArchiveOf(jsonFile),
  ])
  return {
    phase: database.phase.phase,
    epoch: database.phase.epoch,
    history: database.history.map((record) => ({
      at: record.at,
      from: record.from_phase,
      to: record.to_phase,
      actor: record.actor,
      forced: record.forced,
      reason: record.reason,
    })),
    validations: database.validations,
    dualWriteMisses: misses.length,
    dualReadMismatches: mismatches.filter((entry) => entry.kind === 'mismatch').length,
    foreignWrites: (writerState?.foreign_writes ?? []).map((write) => ({
      detectedAt: write.detected_at,
      modifiedAt: write.modified_at ?? null,
    })),
    backups,
    archive,
  }
}

/** The backups `phase dual-write` and `cutover` left beside the legacy file, oldest first. */
async function backupsOf(jsonFile: string): Promise<string[]> {
  const prefix = `${basename(jsonFile)}.backup-`
  const names = await readdir(dirname(jsonFile)).catch(() => [] as string[])
  return names
    .filter((name) => name.startsWith(prefix) && !name.endsWith('.sha256'))
    .sort()
    .map((name) => join(dirname(jsonFile), name))
}
