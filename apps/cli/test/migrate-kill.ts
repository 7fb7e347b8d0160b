import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { expect } from 'vitest'
import { freshDatabase } from './schema.js'
import { makeTempDir, runCli } from './support.js'

const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))

/**
 * `kill -9` of `data migrate` at a random moment, `trials` times, each on a fresh database: the
 * rerun finishes the work and validation is clean.
 */
export async function expectKilledMigrateResumes(dialect: 'sqlite' | 'postgres', trials: number) {
  const scratch = await makeTempDir()
  const source = join(scratch, 'source.json')
  expect(
    (await runCli(['generate', source, '--invocations', '20000'], { cwd: scratch })).exitCode,
  ).toBe(0)
  for (let trial = 0; trial < trials; trial += 1) {
    const db = await freshDatabase(dialect)
    try {
      const cwd = await makeTempDir()
      const jsonFile = join(cwd, 'skill_metrics.json')
      await copyFile(source, jsonFile)
      const args = ['--db', db.url, '--json-file', jsonFile]
      expect((await runCli(['schema', 'migrate', ...args], { cwd })).exitCode).toBe(0)
      expect((await runCli(['phase', 'dual-write', ...args], { cwd })).exitCode).toBe(0)
      const migrate = execa('node', [cli, 'data', 'migrate', '--batch-size', '250', ...args], {
        cwd,
        reject: false,
      })
      await sleep(300 + Math.random() * 2_500)
      migrate.kill('SIGKILL')
      await migrate
      const rerun = await runCli(['data', 'migrate', '--json', ...args], { cwd })
      expect(rerun.exitCode, rerun.stdout + rerun.stderr).toBe(0)
      const validate = await runCli(['data', 'validate', ...args], { cwd })
      expect(validate.exitCode, `trial ${trial}: ${validate.stdout}${validate.stderr}`).toBe(0)
    } finally {
      await db.drop()
    }
  }
}
