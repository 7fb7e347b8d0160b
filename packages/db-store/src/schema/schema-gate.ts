import { RefusedError } from '@skill-metrics/core'
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
 */
export async function requireLatestSchema({
  target,
  migrationsDir,
  migrate = false,
  neededBy,
}: SchemaGateOptions): Promise<void> {
  // Only a caller that may migrate opens the schema for writing: a look must not create the file.
  const runner = await SchemaRunner.open({ target, migrationsDir, readOnly: !migrate })
  try {
    if (migrate) await runner.migrate()
    const status = await runner.status()
    if (status.current < status.latest) {
      throw new RefusedError(
        `the database schema is at V${status.current}; ${neededBy} needs V${status.latest}`,
        { nextStep: 'Run: skill-metrics schema migrate' },
      )
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
