import { copyFile, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { SchemaRunner } from '@skill-metrics/db-store'
import { freshDatabase, type TestDatabase } from '../../db-store/src/test-support/databases.js'
import { dualWriteGuard } from '../src/phases/guards.js'
import { transition } from '../src/phases/transition.js'

export { DIALECTS } from '../../db-store/src/test-support/databases.js'

export const fixturePath = (name: string, suffix = '.json') =>
  fileURLToPath(new URL(`../../../fixtures/legacy/${name}${suffix}`, import.meta.url))

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
    guard: dualWriteGuard,
  })
  return { db, jsonFile, target: db.target }
}
