// About 400 lines on purpose: the six verbs (migrate, rollback, baseline, repair, validate,
// status) share one lock, one bookkeeping table and one refusal policy, and read best side by side;
// what each step does (planning, its transaction, the messages, the history SQL) lives beside it.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { userInfo } from 'node:os'
import { dirname, join } from 'node:path'
import { InconsistencyError, RefusedError, UsageError } from '@skill-metrics/core'
import { openDataSource } from '../data-source.js'
import type { DatabaseTarget } from '../database-url.js'
import {
  audit,
  clearFailedRow,
  ensureBookkeeping,
  forgetVersion,
  type HistoryRow,
  insertHistory,
  readHistory,
  realignRow,
  rowOfSource,
  sourceOfRow,
} from './bookkeeping.js'
import { loadMigrationSources, type MigrationSource } from './migration-file.js'
import { acquireSchemaLock } from './schema-lock.js'
import {
  describeProblem,
  failedRefusal,
  migrationFailed,
  nextStepFor,
  short,
} from './schema-messages.js'
import { type PlannedStep, type SchemaStatus, type StepResult, statusOf } from './schema-status.js'
import { SqlSession } from './sql-session.js'
import { planStep, requireSqliteVersion } from './step-plan.js'
import { runInTransaction, StepFailure } from './step-transaction.js'

/**
 * The versioned SQL shipped with this package, found from its install location: resolved by the
 * package's name, not from this file, because the CLI bundles this module into its own files
 * (apps/cli/scripts/bundle.mjs) and then only the name still leads to this package's folder.
 */
export const BUNDLED_MIGRATIONS_DIR = `${join(
  dirname(createRequire(import.meta.url).resolve('@skill-metrics/db-store/package.json')),
  'migrations',
)}/`

/**
 * Where every command finds the versioned SQL unless `--migrations-dir` names a folder:
 * `SKILL_METRICS_MIGRATIONS_DIR` (for a release that ships its migrations apart, read on each
 * open so that a run in this process sees the environment of its own), else the bundled ones.
 */
export const defaultMigrationsDir = (): string =>
  process.env.SKILL_METRICS_MIGRATIONS_DIR || BUNDLED_MIGRATIONS_DIR

export const DEFAULT_SCHEMA_LOCK_TIMEOUT_MS = 60_000

export interface RunOptions {
  dryRun?: boolean
  /** Called after each version is applied or undone, for progress output. */
  onStep?: (step: StepResult) => void
}

export interface SchemaRunnerOptions {
  target: DatabaseTarget
  migrationsDir?: string
  lockTimeoutMs?: number
  /** Opened read-only: nothing is created or written, even the database file. */
  readOnly?: boolean
}

/**
 * The schema migration runner: versioned SQL files applied in order, each in one transaction with
 * its history row, under a database-level lock; checksums of both parts, stored rollback SQL,
 * failures recorded with the statement that failed, and nothing half-applied.
 */
export class SchemaRunner {
  readonly #session: SqlSession
  readonly #sources: MigrationSource[]
  readonly #options: Required<Omit<SchemaRunnerOptions, 'readOnly'>> & { readOnly: boolean }
  readonly #actor = `${safeUser()} (pid ${process.pid})`

  private constructor(
    session: SqlSession,
    sources: MigrationSource[],
    options: SchemaRunnerOptions & { migrationsDir: string },
  ) {
    this.#session = session
    this.#sources = sources
    this.#options = {
      lockTimeoutMs: DEFAULT_SCHEMA_LOCK_TIMEOUT_MS,
      readOnly: false,
      ...options,
    }
  }

  static async open(options: SchemaRunnerOptions): Promise<SchemaRunner> {
    const migrationsDir = options.migrationsDir ?? defaultMigrationsDir()
    const sources = await loadMigrationSources(migrationsDir, options.target.dialect)
    let target = options.target
    // A read-only look at a database that does not exist yet is a look at an empty one; opening
    // the path would create the file.
    if (
      options.readOnly &&
      target.dialect === 'sqlite' &&
      !target.inMemory &&
      !existsSync(target.path)
    ) {
      target = { ...target, path: ':memory:', inMemory: true }
    }
    const dataSource = await openDataSource(target, { readOnly: options.readOnly, poolSize: 1 })
    const session = await SqlSession.open(dataSource, target.dialect)
    // The URL's schema is where everything lives; without it, current_schema() is NULL and the
    // tables would land elsewhere. A read-only look at a missing schema sees an empty database.
    if (target.dialect === 'postgres' && target.schema !== undefined && !options.readOnly) {
      await session.execute(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`)
    }
    return new SchemaRunner(session, sources, { ...options, migrationsDir })
  }

  async close(): Promise<void> {
    await this.#session.release()
    await this.#session.dataSource.destroy()
  }

  async status(): Promise<SchemaStatus> {
    return this.#statusOf(await readHistory(this.#session))
  }

  /** Row counts of the given tables (plain identifiers only), for status output. */
  async count(tables: string[]): Promise<number[]> {
    const counts: number[] = []
    for (const table of tables) {
      if (!/^[a-z_][a-z0-9_]*$/.test(table)) throw new UsageError(`not a table name: ${table}`)
      const [row] = await this.#session.rows<{ n: number | string }>(
        `SELECT COUNT(*) AS n FROM ${table}`,
      )
      counts.push(Number(row!.n))
    }
    return counts
  }

  /** For CI: throws `InconsistencyError` (exit 5) on any drift, failure or missing file. */
  async validate(): Promise<SchemaStatus> {
    const status = await this.status()
    const problems = status.versions.filter(
      (version) => !['applied', 'pending'].includes(version.state),
    )
    if (problems.length > 0) {
      throw new InconsistencyError(
        `the schema has drifted from ${status.migrationsDir}:\n${problems.map(describeProblem).join('\n')}`,
        { nextStep: nextStepFor(problems[0]!) },
      )
    }
    return status
  }

  /** Applies pending versions up to `target` (default: all). */
  async migrate({ target, ...run }: RunOptions & { target?: number } = {}): Promise<StepResult[]> {
    return this.#locked(run.dryRun, async () => {
      const status = this.#statusOf(await readHistory(this.#session))
      this.#refuseUnsafe(status)
      const goal = target ?? status.latest
      if (goal < status.current) {
        throw new UsageError(
          `--target ${goal} is below the applied version ${status.current}; use: skill-metrics schema rollback --to ${goal}`,
        )
      }
      const pending = this.#sources.filter(
        (source) => source.version > status.current && source.version <= goal,
      )
      // Every file is split and checked before the first one runs: a bad V5 must not leave V4 applied.
      const plans = pending.map((source) => ({
        source,
        step: planStep(source, source.forwardSql, 'forward', this.#session.dialect),
      }))
      if (run.dryRun) return plans.map(({ step }) => ({ ...step, timeMs: 0 }))
      for (const { source } of plans) await requireSqliteVersion(this.#session, source)
      const steps: StepResult[] = []
      for (const { source, step } of plans) {
        const result = { ...step, timeMs: await this.#apply(source, step) }
        steps.push(result)
        run.onStep?.(result)
      }
      return steps
    })
  }

  /**
   * Undoes applied versions above `to`, newest first, with the rollback SQL stored when applied.
   * `forced`: why a guard was overridden, audited (`rollback-forced`) in the transaction of the
   * first version undone, since `schema_migrations_audit` outlives any rollback.
   */
  async rollback({
    to,
    forced,
    ...run
  }: RunOptions & { to: number; forced?: string }): Promise<StepResult[]> {
    return this.#locked(run.dryRun, async () => {
      const history = await readHistory(this.#session)
      const failed = history.find((row) => !row.success)
      if (failed !== undefined) throw failedRefusal(failed)
      const undo = history.filter((row) => row.version > to).reverse()
      const missing = undo.filter(
        (row) => row.rollback_sql === null || row.rollback_sql.trim() === '',
      )
      if (missing.length > 0) {
        throw new RefusedError(
          `cannot roll back to ${to}: ${missing.map((row) => row.script).join(', ')} stored no rollback SQL; nothing was undone`,
        )
      }
      const plans = undo.map((row) => ({
        row,
        step: planStep(sourceOfRow(row), row.rollback_sql!, 'rollback', this.#session.dialect),
      }))
      if (run.dryRun) return plans.map(({ step }) => ({ ...step, timeMs: 0 }))
      for (const { row } of plans) {
        const source = this.#sources.find((candidate) => candidate.version === row.version)
        if (source !== undefined) await requireSqliteVersion(this.#session, source)
      }
      const steps: StepResult[] = []
      for (const [index, { row, step }] of plans.entries()) {
        const result = {
          ...step,
          timeMs: await this.#undo(row, step, index === 0 ? forced : undefined),
        }
        steps.push(result)
        run.onStep?.(result)
      }
      return steps
    })
  }

  /** Adopts an existing schema: records versions up to `version` as applied without running them. */
  async baseline({ version, dryRun }: { version: number; dryRun?: boolean }): Promise<number[]> {
    return this.#locked(dryRun, async () => {
      const history = await readHistory(this.#session)
      if (history.length > 0) {
        throw new RefusedError(
          `cannot baseline: ${history.length} version(s) are already recorded; baseline adopts a database that has none`,
        )
      }
      const adopted = this.#sources.filter((source) => source.version <= version)
      if (adopted.length === 0) throw new UsageError(`no migration file has a version ≤ ${version}`)
      if (dryRun) return adopted.map((source) => source.version)
      await this.#session.begin()
      try {
        for (const source of adopted) {
          await insertHistory(this.#session, {
            ...rowOfSource(source, this.#actor),
            kind: 'baseline',
            migration_time_ms: null,
          })
        }
        await audit(
          this.#session,
          this.#actor,
          'baseline',
          version,
          `adopted V1..V${version} without running them`,
        )
        await this.#session.commit()
      } catch (error) {
        await this.#session.rollbackQuietly()
        throw error
      }
      return adopted.map((source) => source.version)
    })
  }

  /**
   * Clears failed rows (after the file was fixed, or a non-transactional failure was mended by
   * hand) and realigns recorded checksums with edited files when asked; each change is audited.
   */
  async repair({
    realign = [],
    dryRun,
  }: {
    realign?: number[]
    dryRun?: boolean
  } = {}): Promise<string[]> {
    return this.#locked(dryRun, async () => {
      const history = await readHistory(this.#session)
      const actions: string[] = []
      for (const row of history.filter((candidate) => !candidate.success)) {
        actions.push(
          `cleared the failed row of ${row.script} (statement ${row.failed_statement ?? '?'}: ${row.error ?? ''})`,
        )
      }
      for (const version of realign) {
        const row = history.find((candidate) => candidate.version === version && candidate.success)
        const source = this.#sources.find((candidate) => candidate.version === version)
        if (row === undefined || source === undefined) {
          throw new UsageError(`--realign ${version}: the version must be applied and have a file`)
        }
        actions.push(
          `realigned ${source.scriptName}: checksum ${short(row.checksum)} → ${short(source.forwardChecksum)}, rollback ${short(row.rollback_checksum)} → ${short(source.rollbackChecksum)}`,
        )
      }
      if (dryRun || actions.length === 0) return actions
      await this.#session.begin()
      try {
        for (const row of history.filter((candidate) => !candidate.success)) {
          await clearFailedRow(this.#session, this.#actor, row)
        }
        for (const version of realign) {
          const source = this.#sources.find((candidate) => candidate.version === version)!
          const before = history.find((candidate) => candidate.version === version)!
          await realignRow(this.#session, this.#actor, source, before)
        }
        await this.#session.commit()
      } catch (error) {
        await this.#session.rollbackQuietly()
        throw error
      }
      return actions
    })
  }

  /** Runs `work` under the schema lock; a dry run takes no lock, since taking it would write. */
  async #locked<T>(dryRun: boolean | undefined, work: () => Promise<T>): Promise<T> {
    if (dryRun || this.#options.readOnly) return work()
    const lock = await acquireSchemaLock(this.#session, this.#actor, this.#options.lockTimeoutMs)
    try {
      await ensureBookkeeping(this.#session)
      return await work()
    } finally {
      await lock.release()
    }
  }

  #statusOf(history: HistoryRow[]): SchemaStatus {
    return statusOf(history, this.#sources, {
      database: this.#options.target.display,
      dialect: this.#options.target.dialect,
      migrationsDir: this.#options.migrationsDir,
    })
  }

  #refuseUnsafe(status: SchemaStatus): void {
    const failed = status.versions.find((version) => version.state === 'failed')
    if (failed !== undefined) throw failedRefusal(failed)
    const newer = status.versions.filter(
      (version) => version.state === 'missing-file' && version.version > status.latest,
    )
    if (newer.length > 0) {
      throw new RefusedError(
        `the database schema (V${status.current}) is newer than this version of skill-metrics knows (V${status.latest})`,
        { nextStep: 'Upgrade skill-metrics, or point --migrations-dir at the newer migrations.' },
      )
    }
    const problems = status.versions.filter((version) =>
      ['checksum-mismatch', 'missing-file', 'out-of-order'].includes(version.state),
    )
    if (problems.length > 0) {
      throw new RefusedError(`refusing to migrate:\n${problems.map(describeProblem).join('\n')}`, {
        nextStep: nextStepFor(problems[0]!),
      })
    }
  }

  async #apply(source: MigrationSource, step: PlannedStep): Promise<number> {
    const started = performance.now()
    const history = rowOfSource(source, this.#actor)
    if (!step.transactional) return this.#applyOutsideTransaction(source, step, history, started)
    try {
      await runInTransaction(this.#session, step, () =>
        insertHistory(this.#session, {
          ...history,
          migration_time_ms: performance.now() - started,
        }),
      )
    } catch (failure) {
      if (!(failure instanceof StepFailure)) throw failure
      await this.#recordFailure(history, failure.statement, null, failure.cause)
      throw migrationFailed(source, step, failure.statement, failure.cause, true)
    }
    return performance.now() - started
  }

  async #applyOutsideTransaction(
    source: MigrationSource,
    step: PlannedStep,
    history: HistoryRow,
    started: number,
  ): Promise<number> {
    let index = 0
    try {
      for (; index < step.statements.length; index += 1)
        await this.#session.execute(step.statements[index]!)
    } catch (error) {
      await this.#recordFailure(history, index + 1, index, error)
      throw migrationFailed(source, step, index + 1, error, false)
    }
    await insertHistory(this.#session, {
      ...history,
      migration_time_ms: performance.now() - started,
    })
    return performance.now() - started
  }

  async #undo(row: HistoryRow, step: PlannedStep, forced: string | undefined): Promise<number> {
    const started = performance.now()
    try {
      await runInTransaction(this.#session, step, async () => {
        await forgetVersion(this.#session, this.#actor, row)
        if (forced !== undefined)
          await audit(this.#session, this.#actor, 'rollback-forced', row.version, forced)
      })
    } catch (failure) {
      if (!(failure instanceof StepFailure)) throw failure
      throw new RefusedError(
        `rolling back ${row.script} failed at statement ${failure.statement ?? 'check'} of its stored rollback SQL: ${(failure.cause as Error).message}; nothing of it was undone`,
        { cause: failure.cause },
      )
    }
    return performance.now() - started
  }

  async #recordFailure(
    history: HistoryRow,
    statement: number | null,
    statementsApplied: number | null,
    error: unknown,
  ): Promise<void> {
    await insertHistory(this.#session, {
      ...history,
      success: false,
      failed_statement: statement,
      statements_applied: statementsApplied,
      error: (error as Error).message,
    })
  }
}

function safeUser(): string {
  try {
    return userInfo().username
  } catch {
    return 'unknown user'
  }
}
