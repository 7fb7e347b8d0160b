import { constants, existsSync } from 'node:fs'
import { access, stat } from 'node:fs/promises'
import { dirname } from 'node:path'
import { RefusedError } from '@skill-metrics/core'
import { sqliteUnavailable } from '../database-errors.js'
import type { DatabaseTarget } from '../database-url.js'
import { SchemaRunner } from './schema-runner.js'

export interface SchemaGateOptions {
  target: DatabaseTarget
  migrationsDir?: string
  /** Apply pending schema versions instead of refusing. */
  migrate?: boolean
  /** Who refuses, in the message: "this version of skill-metrics", "the phase machine". */
  neededBy: string
}

/**
 * The one "schema at latest or refuse" check before the store or the phase tables are opened:
 * exit 4 while versions are pending (unless `migrate`) or when the database is newer than this code.
 * Pending optional versions (index changes only) do not refuse: upgrading the tool must not stop
 * the writers until someone runs `schema migrate`.
 */
export async function requireLatestSchema({
  target,
  migrationsDir,
  migrate = false,
  neededBy,
}: SchemaGateOptions): Promise<void> {
  if (!migrate) await requireCreatableSqlite(target)
  // Only a caller that may migrate opens the schema for writing: a look must not create the file.
  const runner = await SchemaRunner.open({ target, migrationsDir, readOnly: !migrate })
  try {
    if (migrate) await runner.migrate()
    const status = await runner.status()
    if (status.current < status.required) {
      const missing =
        target.dialect === 'sqlite' && !target.inMemory && !existsSync(target.path)
          ? `the database ${target.path} does not exist yet`
          : `the database schema is at V${status.current}`
      throw new RefusedError(`${missing}; ${neededBy} needs V${status.required}`, {
        nextStep: 'Run: skill-metrics schema migrate',
      })
    }
    if (status.current > status.latest) {
      throw new RefusedError(
        `the database schema (V${status.current}) is newer than this version of skill-metrics knows (V${status.latest})`,
        { nextStep: 'Upgrade skill-metrics.' },
      )
    }
  } finally {
    await runner.close()
  }
}

/**
 * A SQLite database that is not there yet is read as an empty one, "at V0": true only where the
 * file could be created. A path under a regular file or in a folder this user cannot write is
 * said to be so (exit 4), rather than sending the operator to run `schema migrate` there.
 */
async function requireCreatableSqlite(target: DatabaseTarget): Promise<void> {
  if (target.dialect !== 'sqlite' || target.inMemory || existsSync(target.path)) return
  let folder = dirname(target.path)
  while (!existsSync(folder) && dirname(folder) !== folder) folder = dirname(folder)
  const info = await stat(folder)
  const problem = info.isDirectory()
    ? await access(folder, constants.W_OK).then(
        () => undefined,
        (error: NodeJS.ErrnoException) => error,
      )
    : Object.assign(new Error(`${folder} is not a folder`), { code: 'ENOTDIR' })
  if (problem !== undefined) throw sqliteUnavailable(target, problem, problem.code ?? '')
}
