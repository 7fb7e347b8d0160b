import { BadInputError, RefusedError } from '@skill-metrics/core'
import type { MigrationSource } from './migration-file.js'
import type { PlannedStep } from './schema-status.js'
import type { SqlSession } from './sql-session.js'
import { findTransactionControl, type SqlDialect, splitSqlStatements } from './sql-splitter.js'

const REQUIRES_SQLITE = /^-- skill-metrics: requires sqlite (\d+)\.(\d+)\.(\d+)\s*$/m

/** A version's SQL split into statements and checked before anything runs. */
export function planStep(
  source: MigrationSource,
  sql: string,
  part: 'forward' | 'rollback',
  dialect: SqlDialect,
): PlannedStep {
  const file = `${source.path}${part === 'rollback' ? ' (rollback part)' : ''}`
  const firstLine =
    part === 'rollback' && source.forwardSql !== '' ? source.forwardSql.split('\n').length + 1 : 1
  const statements = splitSqlStatements(sql, dialect, file, firstLine)
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

/** Refuses a file whose `requires sqlite` directive names a newer SQLite than this one. */
export async function requireSqliteVersion(
  session: SqlSession,
  source: MigrationSource,
): Promise<void> {
  const required = REQUIRES_SQLITE.exec(source.forwardSql)
  if (session.dialect !== 'sqlite' || required === null) return
  const [row] = await session.rows<{ version: string }>('SELECT sqlite_version() AS version')
  const have = row!.version.split('.').map(Number)
  const need = required.slice(1, 4).map(Number)
  const older = need.findIndex((part, index) => part !== (have[index] ?? 0))
  if (older !== -1 && need[older]! > (have[older] ?? 0)) {
    throw new RefusedError(
      `${source.scriptName} needs SQLite ${need.join('.')} or newer; this one is ${row!.version}`,
    )
  }
}
