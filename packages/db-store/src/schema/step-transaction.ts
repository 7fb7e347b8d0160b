import type { SqlSession } from './sql-session.js'

/** What a step runs: its statements, split and checked. */
export interface StepStatements {
  script: string
  statements: string[]
}

/** Which statement of a step failed (null: after the last one), and why. */
export class StepFailure extends Error {
  constructor(
    readonly statement: number | null,
    override readonly cause: unknown,
  ) {
    super((cause as Error).message)
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

/**
 * A step's statements, then `finish` (its history change), in one transaction. SQLite ignores
 * PRAGMA foreign_keys inside a transaction: for a table rebuild it is switched off before BEGIN,
 * so dropping a parent does not cascade into its children, and the keys are checked before COMMIT.
 */
export async function runInTransaction(
  session: SqlSession,
  step: StepStatements,
  finish: () => Promise<void>,
): Promise<void> {
  const rebuild = session.dialect === 'sqlite' && rebuildsTables(step.statements)
  if (rebuild) await session.execute('PRAGMA foreign_keys = OFF')
  try {
    await session.begin()
    let index = 0
    try {
      for (; index < step.statements.length; index += 1) {
        await session.execute(step.statements[index]!)
      }
      if (rebuild) await checkForeignKeys(session, step.script)
      await finish()
      await session.commit()
    } catch (error) {
      await session.rollbackQuietly()
      throw new StepFailure(index < step.statements.length ? index + 1 : null, error)
    }
  } finally {
    if (rebuild) await session.execute('PRAGMA foreign_keys = ON')
  }
}

async function checkForeignKeys(session: SqlSession, script: string): Promise<void> {
  const violations = await session.rows<{ table: string; parent: string }>(
    'PRAGMA foreign_key_check',
  )
  if (violations.length > 0) {
    const first = violations[0]!
    throw new Error(
      `${script} leaves ${violations.length} row(s) whose foreign key points nowhere (first: ${first.table} → ${first.parent})`,
    )
  }
}
