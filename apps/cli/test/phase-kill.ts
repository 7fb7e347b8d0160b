import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { createDataSource, SchemaRunner } from '@skill-metrics/db-store'
import { generateLegacyFile, loadLegacyFile } from '@skill-metrics/json-tracker'
import {
  cutover,
  dualReadGuard,
  dualWriteGuard,
  migrateData,
  runValidation,
  transition,
} from '@skill-metrics/migration'
import { lifecycleWriter } from '@skill-metrics/testing/child-processes'
import { execa } from 'execa'
import { expect } from 'vitest'
import { freshDatabase, type TestDatabase } from './schema.js'
import { makeTempDir, runCommand } from './support.js'

const cli = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const HISTORY = 3_000

interface Trial {
  db: TestDatabase
  jsonFile: string
  args: string[]
  cwd: string
}

/** A legacy file with history, moved to dual-read through the real backfill and validation. */
async function inDualRead(dialect: 'sqlite' | 'postgres'): Promise<Trial> {
  const db = await freshDatabase(dialect)
  const cwd = await makeTempDir()
  const jsonFile = join(cwd, 'skill_metrics.json')
  await generateLegacyFile(jsonFile, { invocations: HISTORY })
  const runner = await SchemaRunner.open({ target: db.target })
  await runner.migrate()
  await runner.close()
  const migration = { jsonFile, target: db.target }
  await transition({ ...migration, to: 'dual-write', from: ['json-only'], guard: dualWriteGuard() })
  await migrateData(migration)
  await runValidation(migration)
  await transition({ ...migration, to: 'dual-read', from: ['migrated'], guard: dualReadGuard })
  return { db, jsonFile, cwd, args: ['--db', db.url, '--json-file', jsonFile] }
}

/** Two library writers that follow the phase, writing until stopped; returns what they wrote. */
function writers(trial: Trial) {
  const stopFile = join(trial.cwd, 'stop')
  const running = [0, 1].map((writer) =>
    execa('node', [lifecycleWriter, trial.jsonFile, trial.db.url, String(writer), stopFile], {
      reject: false,
    }),
  )
  return async () => {
    await writeFile(stopFile, '')
    const runs = await Promise.all(running)
    for (const run of runs) expect(run.exitCode, String(run.stderr)).toBe(0)
    return runs.flatMap((run) =>
      String(run.stdout)
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('took ')),
    )
  }
}

/** Runs `args` and kills it with SIGKILL after a random delay (it may have finished by then). */
async function killedAtRandom(trial: Trial, args: string[], maxDelayMs: number) {
  const run = execa('node', [cli, ...args, ...trial.args], { cwd: trial.cwd, reject: false })
  const delay = Math.floor(Math.random() * maxDelayMs)
  await Promise.race([sleep(delay), run])
  run.kill('SIGKILL')
  const result = await run
  return { delay, finished: result.exitCode === 0 }
}

/** `stopped`: what `next` says when a kill left the transition mark; without it, no mark is left. */
async function expectConsistentStatus(trial: Trial, phases: string[], stopped?: RegExp) {
  const status = await runCommand(['status', '--json', ...trial.args], { cwd: trial.cwd })
  expect(status.exitCode, status.stderr).toBe(0)
  const { phase, transitioning, next } = JSON.parse(status.stdout)
  expect(phases).toContain(phase)
  if (stopped === undefined) expect(transitioning).toBe(false)
  else if (transitioning) expect(next).toMatch(stopped)
}

async function storedPaths(trial: Trial): Promise<Set<string>> {
  const database = await (await createDataSource(trial.db.target)).initialize()
  try {
    const rows: Array<{ workflow_path: string | null }> = await database.query(
      'SELECT workflow_path FROM skill_invocation',
    )
    return new Set(rows.map((row) => row.workflow_path ?? ''))
  } finally {
    await database.destroy()
  }
}

/**
 * `kill -9` of `cutover` at a random point while writers go on, `trials` times: `status` answers
 * with dual-read or db-primary, a rerun ends in db-primary, and every invocation whose writes
 * returned is in the database, the source of truth.
 */
export async function expectKilledCutoverRecovers(dialect: 'sqlite' | 'postgres', trials: number) {
  for (let trial = 0; trial < trials; trial += 1) {
    const setup = await inDualRead(dialect)
    try {
      const stop = writers(setup)
      const killed = await killedAtRandom(setup, ['cutover'], 2_500)
      await expectConsistentStatus(setup, ['dual-read', 'db-primary'], /^skill-metrics cutover \(/)
      const rerun = await runCommand(['cutover', '--json', ...setup.args], { cwd: setup.cwd })
      expect(rerun.exitCode, `trial ${trial} ${JSON.stringify(killed)}: ${rerun.stderr}`).toBe(0)
      await expectConsistentStatus(setup, ['db-primary'])
      const tags = await stop()
      const stored = await storedPaths(setup)
      expect(tags.filter((tag) => !stored.has(tag))).toEqual([])
      const health = await runCommand(['health', ...setup.args], { cwd: setup.cwd })
      expect(health.exitCode, health.stdout).toBe(0)
    } finally {
      await setup.db.drop()
    }
  }
}

/**
 * `kill -9` of `rollback` from db-primary at a random point while writers go on: `status` answers
 * with db-primary or dual-write, a rerun ends in dual-write, and every invocation whose writes
 * returned is in the legacy file, the source of truth again, which validates clean.
 */
export async function expectKilledRollbackRecovers(dialect: 'sqlite' | 'postgres', trials: number) {
  for (let trial = 0; trial < trials; trial += 1) {
    const setup = await inDualRead(dialect)
    try {
      await cutover({ jsonFile: setup.jsonFile, target: setup.db.target })
      const stop = writers(setup)
      await sleep(300)
      const killed = await killedAtRandom(setup, ['rollback'], 2_000)
      await expectConsistentStatus(
        setup,
        ['db-primary', 'dual-write'],
        /^skill-metrics rollback --to dual-write \(/,
      )
      const rerun = await runCommand(['rollback', '--json', ...setup.args], { cwd: setup.cwd })
      expect(rerun.exitCode, `trial ${trial} ${JSON.stringify(killed)}: ${rerun.stderr}`).toBe(0)
      await expectConsistentStatus(setup, ['dual-write'])
      const tags = await stop()
      const inFile = new Set(
        (await loadLegacyFile(setup.jsonFile)).invocations.map((record) => record.workflow_path),
      )
      expect(tags.filter((tag) => !inFile.has(tag))).toEqual([])
      const validate = await runCommand(['data', 'validate', ...setup.args], { cwd: setup.cwd })
      expect(validate.exitCode, validate.stdout).toBe(0)
    } finally {
      await setup.db.drop()
    }
  }
}
