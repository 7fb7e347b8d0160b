import { existsSync } from 'node:fs'
import { userInfo } from 'node:os'
import { fileURLToPath } from 'node:url'
import { BadInputError, InconsistencyError, RefusedError, UsageError } from '@skill-metrics/core'
import { createDataSource } from '../data-source.js'
import type { DatabaseTarget } from '../database-url.js'
import {
  audit,
  ensureBookkeeping,
  type HistoryRow,
  insertHistory,
  readHistory,
} from './bookkeeping.js'
import { loadMigrationSources, type MigrationSource } from './migration-file.js'
import { acquireSchemaLock } from './schema-lock.js'
import { SqlSession } from './sql-session.js'
import { findTransactionControl, splitSqlStatements } from './sql-splitter.js'

/** The versioned SQL shipped with this package, found from its install location. */
export const BUNDLED_MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url))

export const DEFAULT_SCHEMA_LOCK_TIMEOUT_MS = 60_000

export type VersionState =
  | 'applied'
  | 'pending'
  | 'failed'
  | 'checksum-mismatch'
  | 'missing-file'
  | 'out-of-order'

export interface VersionStatus {
  version: number
  description: string
  script: string
  state: VersionState
  /** `baseline` when the version was adopted, not run. */
  kind?: 'migrate' | 'baseline'
  appliedAt?: string
  migrationTimeMs?: number | null
  /** For checksum-mismatch: which part changed, with the recorded and the current sums. */
  drift?: Array<{ part: 'forward' | 'rollback'; applied: string | null; onDisk: string | null }>
  /** For failed: the statement (1-based) and the database's error. */
  failure?: { statement: number | null; statementsApplied: number | null; error: string | null }
}

export interface SchemaStatus {
  database: string
  dialect: 'sqlite' | 'postgres'
  migrationsDir: string
  /** The highest version applied successfully (0 for none). */
  current: number
  /** The highest version on disk. */
  latest: number
  versions: VersionStatus[]
}

export interface PlannedStep {
  version: number
  description: string
  script: string
  statements: string[]
  transactional: boolean
}

export interface StepResult extends PlannedStep {
  timeMs: number
}

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

const REQUIRES_SQLITE = /^-- skill-metrics: requires sqlite (\d+)\.(\d+)\.(\d+)\s*$/m

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
    const migrationsDir = options.migrationsDir ?? BUNDLED_MIGRATIONS_DIR
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
    const dataSource = await createDataSource(target, {
      readOnly: options.readOnly,
      poolSize: 1,
    }).initialize()
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
        step: this.#plan(source, source.forwardSql, 'forward'),
      }))
      if (run.dryRun) return plans.map(({ step }) => ({ ...step, timeMs: 0 }))
      for (const { source } of plans) await this.#requireSqliteVersion(source)
      const steps: StepResult[] = []
      for (const { source, step } of plans) {
        const result = { ...step, timeMs: await this.#apply(source, step) }
        steps.push(result)
        run.onStep?.(result)
      }
      return steps
    })
  }

  /** Undoes applied versions above `to`, newest first, with the rollback SQL stored when applied. */
  async rollback({ to, ...run }: RunOptions & { to: number }): Promise<StepResult[]> {
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
        step: this.#plan(sourceOfRow(row), row.rollback_sql!, 'rollback'),
      }))
      if (run.dryRun) return plans.map(({ step }) => ({ ...step, timeMs: 0 }))
      for (const { row } of plans) {
        const source = this.#sources.find((candidate) => candidate.version === row.version)
        if (source !== undefined) await this.#requireSqliteVersion(source)
      }
      const steps: StepResult[] = []
      for (const { row, step } of plans) {
        const result = { ...step, timeMs: await this.#undo(row, step) }
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
          await this.#session.rows(
            'DELETE FROM schema_migrations WHERE version = ? AND success = ?',
            [row.version, this.#session.dialect === 'sqlite' ? 0 : false],
          )
          await audit(
            this.#session,
            this.#actor,
            'repair-clear-failed',
            row.version,
            JSON.stringify(row),
          )
        }
        for (const version of realign) {
          const source = this.#sources.find((candidate) => candidate.version === version)!
          const before = history.find((candidate) => candidate.version === version)!
          await this.#session.rows(
            'UPDATE schema_migrations SET checksum = ?, rollback_checksum = ?, rollback_sql = ?, description = ?, script = ? WHERE version = ?',
            [
              source.forwardChecksum,
              source.rollbackChecksum,
              source.rollbackSql,
              source.description,
              source.scriptName,
              version,
            ],
          )
          await audit(
            this.#session,
            this.#actor,
            'repair-realign',
            version,
            JSON.stringify({
              before: { checksum: before.checksum, rollback_checksum: before.rollback_checksum },
              after: {
                checksum: source.forwardChecksum,
                rollback_checksum: source.rollbackChecksum,
              },
            }),
          )
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
    const rows = new Map(history.map((row) => [row.version, row]))
    const files = new Map(this.#sources.map((source) => [source.version, source]))
    const current = Math.max(0, ...history.filter((row) => row.success).map((row) => row.version))
    const versions = [...new Set([...rows.keys(), ...files.keys()])].sort((a, b) => a - b)
    return {
      database: this.#options.target.display,
      dialect: this.#options.target.dialect,
      migrationsDir: this.#options.migrationsDir,
      current,
      latest: Math.max(0, ...this.#sources.map((source) => source.version)),
      versions: versions.map((version) =>
        versionStatus(rows.get(version), files.get(version), current),
      ),
    }
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

  #plan(source: MigrationSource, sql: string, part: 'forward' | 'rollback'): PlannedStep {
    const file = `${source.path}${part === 'rollback' ? ' (rollback part)' : ''}`
    const firstLine =
      part === 'rollback' && source.forwardSql !== '' ? source.forwardSql.split('\n').length + 1 : 1
    const statements = splitSqlStatements(sql, this.#session.dialect, file, firstLine)
    const control = findTransactionControl(statements)
    if (control !== undefined) {
      throw new BadInputError(
        { file, record: `line ${control.line}` },
        `${JSON.stringify(control.sql.split('\n')[0])}: a migration may not control transactions; the runner wraps each file in one`,
        {
          nextStep:
            'Remove BEGIN/COMMIT/ROLLBACK from the file (for statements that cannot run in a transaction, add the line "-- skill-metrics: no-transaction").',
        },
      )
    }
    return {
      version: source.version,
      description: source.description,
      script: source.scriptName,
      statements: statements.map((statement) => statement.sql),
      transactional: source.transactional,
    }
  }

  async #requireSqliteVersion(source: MigrationSource): Promise<void> {
    const required = REQUIRES_SQLITE.exec(source.forwardSql)
    if (this.#session.dialect !== 'sqlite' || required === null) return
    const [row] = await this.#session.rows<{ version: string }>(
      'SELECT sqlite_version() AS version',
    )
    const have = row!.version.split('.').map(Number)
    const need = required.slice(1, 4).map(Number)
    const older = need.findIndex((part, index) => part !== (have[index] ?? 0))
    if (older !== -1 && need[older]! > (have[older] ?? 0)) {
      throw new RefusedError(
        `${source.scriptName} needs SQLite ${need.join('.')} or newer; this one is ${row!.version}`,
      )
    }
  }

  async #apply(source: MigrationSource, step: PlannedStep): Promise<number> {
    const started = performance.now()
    const history = rowOfSource(source, this.#actor)
    if (!step.transactional) return this.#applyOutsideTransaction(source, step, history, started)
    try {
      await this.#runInTransaction(step, () =>
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

  async #undo(row: HistoryRow, step: PlannedStep): Promise<number> {
    const started = performance.now()
    try {
      await this.#runInTransaction(step, async () => {
        await this.#session.rows('DELETE FROM schema_migrations WHERE version = ?', [row.version])
        await audit(this.#session, this.#actor, 'rollback', row.version, `undid ${row.script}`)
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

  /**
   * A step's statements, then `finish` (its history change), in one transaction. SQLite ignores
   * PRAGMA foreign_keys inside a transaction: for a table rebuild it is switched off before BEGIN,
   * so dropping a parent does not cascade into its children, and the keys are checked before COMMIT.
   */
  async #runInTransaction(step: PlannedStep, finish: () => Promise<void>): Promise<void> {
    const rebuild = this.#session.dialect === 'sqlite' && rebuildsTables(step.statements)
    if (rebuild) await this.#session.execute('PRAGMA foreign_keys = OFF')
    try {
      await this.#session.begin()
      let index = 0
      try {
        for (; index < step.statements.length; index += 1) {
          await this.#session.execute(step.statements[index]!)
        }
        if (rebuild) await this.#checkForeignKeys(step.script)
        await finish()
        await this.#session.commit()
      } catch (error) {
        await this.#session.rollbackQuietly()
        throw new StepFailure(index < step.statements.length ? index + 1 : null, error)
      }
    } finally {
      if (rebuild) await this.#session.execute('PRAGMA foreign_keys = ON')
    }
  }

  async #checkForeignKeys(script: string): Promise<void> {
    const violations = await this.#session.rows<{ table: string; parent: string }>(
      'PRAGMA foreign_key_check',
    )
    if (violations.length > 0) {
      const first = violations[0]!
      throw new Error(
        `${script} leaves ${violations.length} row(s) whose foreign key points nowhere (first: ${first.table} → ${first.parent})`,
      )
    }
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

/** Which statement of a step failed (null: after the last one), and why. */
class StepFailure extends Error {
  constructor(
    readonly statement: number | null,
    override readonly cause: unknown,
  ) {
    super((cause as Error).message)
  }
}

function versionStatus(
  row: HistoryRow | undefined,
  source: MigrationSource | undefined,
  current: number,
): VersionStatus {
  const base = {
    version: row?.version ?? source!.version,
    description: source?.description ?? row!.description,
    script: source?.scriptName ?? row!.script,
  }
  if (row === undefined) {
    return { ...base, state: source!.version < current ? 'out-of-order' : 'pending' }
  }
  const recorded = {
    kind: row.kind,
    appliedAt: row.applied_at,
    migrationTimeMs: row.migration_time_ms,
  }
  if (!row.success) {
    return {
      ...base,
      ...recorded,
      state: 'failed',
      failure: {
        statement: row.failed_statement,
        statementsApplied: row.statements_applied,
        error: row.error,
      },
    }
  }
  if (source === undefined) return { ...base, ...recorded, state: 'missing-file' }
  const drift: NonNullable<VersionStatus['drift']> = []
  if (row.checksum !== source.forwardChecksum) {
    drift.push({ part: 'forward', applied: row.checksum, onDisk: source.forwardChecksum })
  }
  if (row.rollback_checksum !== source.rollbackChecksum) {
    drift.push({
      part: 'rollback',
      applied: row.rollback_checksum,
      onDisk: source.rollbackChecksum,
    })
  }
  return drift.length > 0
    ? { ...base, ...recorded, state: 'checksum-mismatch', drift }
    : { ...base, ...recorded, state: 'applied' }
}

function rowOfSource(source: MigrationSource, actor: string): HistoryRow {
  return {
    version: source.version,
    description: source.description,
    script: source.scriptName,
    checksum: source.forwardChecksum,
    rollback_checksum: source.rollbackChecksum,
    rollback_sql: source.rollbackSql,
    applied_at: new Date().toISOString(),
    migration_time_ms: null,
    success: true,
    installed_by: actor,
    kind: 'migrate',
    failed_statement: null,
    statements_applied: null,
    error: null,
  }
}

/** The stored rollback SQL of a row, planned like a file so it gets the same checks. */
function sourceOfRow(row: HistoryRow): MigrationSource {
  return {
    version: row.version,
    description: row.description,
    scriptName: row.script,
    path: `schema_migrations V${row.version} (${row.script})`,
    dialectSpecific: false,
    forwardSql: '',
    rollbackSql: row.rollback_sql,
    forwardChecksum: row.checksum,
    rollbackChecksum: row.rollback_checksum,
    transactional: true,
  }
}

/** A file that drops or renames a table rebuilds it: SQLite must not cascade that into children. */
function rebuildsTables(statements: string[]): boolean {
  return statements.some((statement) =>
    /^\s*(DROP\s+TABLE|ALTER\s+TABLE\s+\S+\s+RENAME\s+TO)\b/i.test(
      statement.replace(/^(\s*--[^\n]*\n)+/, ''),
    ),
  )
}

function migrationFailed(
  source: MigrationSource,
  step: PlannedStep,
  statement: number | null,
  error: unknown,
  transactional: boolean,
): RefusedError {
  const where =
    statement === null
      ? 'after its last statement'
      : `at statement ${statement} of ${step.statements.length} (${JSON.stringify(step.statements[statement - 1]!.split('\n')[0])})`
  const outcome = transactional
    ? 'The schema is as it was before; the failure is recorded.'
    : `The file is marked no-transaction: statements 1..${(statement ?? 1) - 1} stayed applied. Undo or finish them by hand.`
  return new RefusedError(
    `${source.scriptName} failed ${where}: ${(error as Error).message}. ${outcome}`,
    {
      cause: error,
      nextStep: `Fix ${source.path}, then run: skill-metrics schema repair && skill-metrics schema migrate`,
    },
  )
}

function failedRefusal(failed: Pick<VersionStatus, 'script'> | HistoryRow): RefusedError {
  return new RefusedError(
    `${failed.script} failed on an earlier run and blocks further migrations`,
    {
      nextStep:
        'Fix the file (see: skill-metrics schema status), then run: skill-metrics schema repair',
    },
  )
}

const short = (checksum: string | null) => (checksum === null ? 'none' : checksum.slice(0, 12))

function describeProblem(version: VersionStatus): string {
  switch (version.state) {
    case 'checksum-mismatch':
      return `  ${version.script} changed after it was applied: ${version
        .drift!.map(
          (drift) =>
            `${drift.part} part applied sha256 ${drift.applied ?? 'none'}, on disk sha256 ${drift.onDisk ?? 'none'}`,
        )
        .join('; ')}`
    case 'missing-file':
      return `  ${version.script} (V${version.version}) is applied but its file is missing`
    case 'out-of-order':
      return `  ${version.script} is pending but older than the applied version`
    case 'failed':
      return `  ${version.script} failed at statement ${version.failure?.statement ?? '?'}: ${version.failure?.error ?? ''}`
    default:
      return `  ${version.script}: ${version.state}`
  }
}

function nextStepFor(version: VersionStatus): string {
  switch (version.state) {
    case 'checksum-mismatch':
      return `Restore the file, or record the edit with: skill-metrics schema repair --realign ${version.version}`
    case 'missing-file':
      return `Restore ${version.script} into the migrations folder.`
    case 'out-of-order':
      return `Give the file a version above the applied ones (never edit or insert below applied versions).`
    default:
      return 'Fix the file, then run: skill-metrics schema repair'
  }
}

function safeUser(): string {
  try {
    return userInfo().username
  } catch {
    return 'unknown user'
  }
}
