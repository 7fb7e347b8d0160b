import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { createDataSource } from '@skill-metrics/db-store'
import { execa } from 'execa'
import { expect } from 'vitest'
import { freshDatabase } from './schema.js'
import { makeTempDir, runCommand } from './support.js'

const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const INVOCATIONS = 20_000
const BATCHES = INVOCATIONS / 250

/**
 * `kill -9` of `data migrate` at a random moment, `trials` times, each on a fresh database: the
 * rerun skips every batch the killed run committed, finishes the work, and validation is clean.
 */
export async function expectKilledMigrateResumes(dialect: 'sqlite' | 'postgres', trials: number) {
  const scratch = await makeTempDir()
  const source = join(scratch, 'source.json')
  expect(
    (await runCommand(['generate', source, '--invocations', String(INVOCATIONS)], { cwd: scratch }))
      .exitCode,
  ).toBe(0)
  for (let trial = 0; trial < trials; trial += 1) {
    const db = await freshDatabase(dialect)
    try {
      const cwd = await makeTempDir()
      const jsonFile = join(cwd, 'skill_metrics.json')
      await copyFile(source, jsonFile)
      const args = ['--db', db.url, '--json-file', jsonFile]
      expect((await runCommand(['schema', 'migrate', ...args], { cwd })).exitCode).toBe(0)
      expect((await runCommand(['phase', 'dual-write', ...args], { cwd })).exitCode).toBe(0)
      const migrate = execa('node', [cli, 'data', 'migrate', '--batch-size', '250', ...args], {
        cwd,
        reject: false,
      })
      const database = await (await createDataSource(db.target)).initialize()
      try {
        const count = async (table: string) =>
          Number((await database.query(`SELECT COUNT(*) AS n FROM ${table}`))[0].n)
        // A random point of the run: after some number of the 80 batches committed, or before
        // the first, or while the skills' aggregates are written after the last.
        const killAfter = Math.floor(Math.random() * (BATCHES + 1))
        while (migrate.exitCode === null && (await count('backfill_batch')) < killAfter) {
          await sleep(2)
        }
        migrate.kill('SIGKILL')
        await migrate
        const committed = await count('backfill_batch')
        const stored = await count('skill_invocation')
        const rerun = await runCommand(
          ['data', 'migrate', '--batch-size', '250', '--json', ...args],
          {
            cwd,
          },
        )
        expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(0)
        // Nothing the killed run committed is written again; only the batch in flight is redone.
        expect(JSON.parse(rerun.stdout), `trial ${trial}, killed after ${killAfter}`).toMatchObject(
          {
            batches: BATCHES,
            skippedBatches: committed,
            inserted: INVOCATIONS - stored,
            updated: 0,
          },
        )
      } finally {
        await database.destroy()
      }
      const validate = await runCommand(['data', 'validate', ...args], { cwd })
      expect(validate.exitCode, `trial ${trial}: ${validate.stdout}${validate.stderr}`).toBe(0)
    } finally {
      await db.drop()
    }
  }
}
