import { copyFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Clock, PHASES, type Phase } from '@skill-metrics/core'
import { dualWriteGuard, SchemaRunner, transition } from '@skill-metrics/migration'
import { freshDatabase, type TestDatabase } from './databases.js'

export interface Migration {
  db: TestDatabase
  jsonFile: string
  target: TestDatabase['target']
}

/** A migrated database and a legacy file (a copy of `source` when given), moved to dual-write. */
export async function inDualWrite(
  dialect: 'sqlite' | 'postgres',
  source?: string,
): Promise<Migration> {
  const db = await freshDatabase(dialect)
  const runner = await SchemaRunner.open({ target: db.target })
  await runner.migrate()
  await runner.close()
  const jsonFile = join(await mkdtemp(join(tmpdir(), 'sm-migrate-')), 'skill_metrics.json')
  if (source !== undefined) await copyFile(source, jsonFile)
  await transition({
    jsonFile,
    target: db.target,
    to: 'dual-write',
    from: ['json-only'],
    // With no source the walk starts from an empty tracker on purpose.
    guard: dualWriteGuard({ allowEmpty: source === undefined }),
  })
  return { db, jsonFile, target: db.target }
}

/**
 * Moves a migration from its current phase on to `to`, one transition at a time with guards that
 * pass: for tests of the later phases, where the data does not matter. The `clock` dates them all,
 * cutover included.
 */
export async function advanceTo(
  { jsonFile, target }: Migration,
  from: Phase,
  to: Phase,
  clock?: Clock,
): Promise<void> {
  for (let index = PHASES.indexOf(from) + 1; index <= PHASES.indexOf(to); index += 1) {
    await transition({
      jsonFile,
      target,
      from: [PHASES[index - 1]!],
      to: PHASES[index]!,
      guard: async () => [],
      clock,
    })
  }
}
