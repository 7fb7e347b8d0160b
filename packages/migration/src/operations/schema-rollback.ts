import { type Clock, type Phase, RefusedError, systemClock } from '@skill-metrics/core'
import {
  type DatabaseTarget,
  type PhaseState,
  PhaseStore,
  SchemaRunner,
  type StepResult,
} from '@skill-metrics/db-store'
import { readPhaseCopy } from '../phases/phase-copy.js'
import { type GuardCheck, requireReasonToForce, transitionRecord } from '../phases/transition.js'

export interface SchemaRollbackOptions {
  jsonFile: string
  target: DatabaseTarget
  /** The version to return to (0: an empty schema). */
  to: number
  /** Rolls back below what the phase needs; needs a reason, which is recorded. */
  force?: boolean
  reason?: string
  dryRun?: boolean
  migrationsDir?: string
  lockTimeoutMs?: number
  onStep?: (step: StepResult) => void
  /**
   * Asked before a rollback that drops tables, once the guard has passed (the CLI asks on a
   * terminal); false stops it with nothing undone.
   */
  confirm?: (question: string) => Promise<boolean>
  clock?: Clock
}

export interface SchemaRollbackResult {
  /** The phase the rollback was checked against: the database's, or the copy's once its tables are gone. */
  phase: Phase
  /** The lowest version that phase works with (0 in json-only). */
  needs: number
  check: GuardCheck
  /** True when --force rolled back below what the phase needs. */
  forced: boolean
  dryRun: boolean
  /** On a dry run whose guard fails (and is not forced): why the real run would be refused. */
  wouldRefuse?: string
  /** The versions undone (on a dry run: that would be), newest first. */
  steps: StepResult[]
  /** The tables their rollback SQL drops. */
  droppedTables: string[]
  /** The schema version after the run. */
  current: number
}

/**
 * `schema rollback`, guarded by the phase: every phase past json-only runs on the phase machine,
 * and `PhaseStore.open` refuses a schema below the latest version that is not optional
 * (schema-gate's "the phase machine needs V…"), so writers and phase commands would stop there;
 * undoing an optional version (index changes only) stops nothing; rolling back V4 also drops
 * the phase machine's tables, its audit trail with them. So below that it is refused (exit 4,
 * recorded in the phase history) unless forced with a reason. A forced rollback is recorded in
 * `schema_migrations_audit`, which no rollback drops, and in the phase history when the rollback
 * keeps that table.
 */
export async function rollbackSchema(
  options: SchemaRollbackOptions,
): Promise<SchemaRollbackResult> {
  requireReasonToForce(options)
  const clock = options.clock ?? systemClock
  const dryRun = options.dryRun === true
  const { state, phase } = await phaseNow(options.jsonFile, options.target, dryRun)
  const runner = await SchemaRunner.open({
    target: options.target,
    migrationsDir: options.migrationsDir,
    lockTimeoutMs: options.lockTimeoutMs,
    readOnly: dryRun,
  })
  try {
    const status = await runner.status()
    const plan = await runner.rollback({ to: options.to, dryRun: true })
    const needs = phase === 'json-only' ? 0 : status.required
    const droppedTables = tablesDroppedBy(plan)
    const check = phaseCheck(phase, needs, options.to, plan, droppedTables)
    const forced = !check.ok && options.force === true
    const result = { phase, needs, check, forced, dryRun, steps: plan, droppedTables }
    const record = (outcome: string) =>
      transitionRecord({
        at: clock.now(),
        reason: options.reason,
        from: phase,
        to: phase,
        epoch: state?.epoch ?? 0,
        result: outcome,
        forced,
        checks: [check],
      })
    if (!check.ok && !forced) {
      if (dryRun) return { ...result, wouldRefuse: check.detail, current: status.current }
      await recordInPhaseHistory(
        options.target,
        record(`refused: schema rollback: ${check.detail}`),
      )
      throw new RefusedError(`refused to roll the schema back to V${options.to}: ${check.detail}`, {
        nextStep:
          'Roll the migration back first (skill-metrics rollback --to json-only), or pass --force --reason "…" (recorded).',
      })
    }
    if (dryRun) return { ...result, current: status.current }
    if (options.confirm !== undefined && droppedTables.length > 0) {
      const question = `Undoing ${plan.map((step) => `V${step.version}`).join(', ')} drops ${droppedTables.join(', ')} and every row in them. Continue?`
      if (!(await options.confirm(question))) {
        throw new RefusedError('schema rollback not confirmed; nothing was undone')
      }
    }
    const steps = await runner.rollback({
      to: options.to,
      onStep: options.onStep,
      forced: forced
        ? JSON.stringify({ phase, needs, to: options.to, reason: options.reason })
        : undefined,
    })
    const current = (await runner.status()).current
    if (forced) {
      await recordInPhaseHistory(
        options.target,
        record(`schema rolled back to V${current} (below V${needs}, which ${phase} needs)`),
      )
    }
    return { ...result, steps, current }
  } finally {
    await runner.close()
  }
}

/**
 * The phase from the database when it has the phase tables; once a forced rollback dropped them,
 * from the copy beside the legacy file, which still says what writers follow.
 */
async function phaseNow(
  jsonFile: string,
  target: DatabaseTarget,
  readOnly: boolean,
): Promise<{ state: PhaseState | null; phase: Phase }> {
  const phases = await PhaseStore.openAsItIs(target, { readOnly })
  const state = phases === null ? null : await phases.state().finally(() => phases.close())
  return { state, phase: state?.phase ?? (await readPhaseCopy(jsonFile))?.phase ?? 'json-only' }
}

function phaseCheck(
  phase: Phase,
  needs: number,
  to: number,
  plan: StepResult[],
  droppedTables: string[],
): GuardCheck {
  const name = `schema at V${needs} or above, which ${phase} needs`
  if (to >= needs || plan.length === 0)
    return { name, ok: true, detail: `V${to} is not below V${needs}` }
  const phaseTables = droppedTables.includes('migration_history')
    ? '; it drops the phase history (migration_history) too'
    : ''
  return {
    name,
    ok: false,
    detail: `phase is ${phase}, which needs the schema at V${needs}: below it writers and phase commands stop${phaseTables}`,
  }
}

/** The tables a plan's statements drop, in the order they go. */
function tablesDroppedBy(steps: StepResult[]): string[] {
  return steps.flatMap((step) =>
    step.statements.flatMap((statement) =>
      [...statement.matchAll(/\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([\w."]+)/gi)].map((match) =>
        match[1]!.replaceAll('"', ''),
      ),
    ),
  )
}

/** Into the phase history when the database has one (the rollback may have dropped it). */
async function recordInPhaseHistory(
  target: DatabaseTarget,
  record: ReturnType<typeof transitionRecord>,
): Promise<void> {
  const phases = await PhaseStore.openAsItIs(target)
  if (phases === null) return
  try {
    await phases.recordAttempt(record)
  } finally {
    await phases.close()
  }
}
