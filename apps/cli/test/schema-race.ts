import { expect } from 'vitest'
import { freshDatabase, raceMigrate, schemaCli, versions } from './schema.js'

/**
 * Two `schema migrate` processes on a fresh database, `trials` times: every version is applied
 * exactly once, both exit 0 or the loser exits 4 for the lock, and no lock is left behind.
 */
export async function expectRacingRunnersApplyOnce(dialect: 'sqlite' | 'postgres', trials: number) {
  for (let trial = 0; trial < trials; trial += 1) {
    const db = await freshDatabase(dialect)
    try {
      const runs = await raceMigrate(db)
      for (const run of runs) {
        if (run.exitCode === 0) continue
        expect(run.exitCode, run.stdout + run.stderr).toBe(4)
        expect(JSON.parse(run.stdout).error.code).toBe('LOCK_TIMEOUT')
      }
      expect(runs.some((run) => run.exitCode === 0)).toBe(true)
      const applied = runs
        .filter((run) => run.exitCode === 0)
        .flatMap((run) =>
          JSON.parse(run.stdout).steps.map((step: { version: number }) => step.version),
        )
      expect(applied.sort((a, b) => a - b)).toEqual(versions(1))
      const status = JSON.parse((await schemaCli(db, ['status', '--json'])).stdout)
      expect(status.versions.map((version: { state: string }) => version.state)).toEqual(
        versions(1).map(() => 'applied'),
      )
      // The lock is free again: a third runner gets it at once.
      const after = await schemaCli(db, ['migrate', '--lock-timeout', '0', '--json'])
      expect(after.exitCode, after.stdout).toBe(0)
    } finally {
      await db.drop()
    }
  }
}
