import { readFile } from 'node:fs/promises'
import { SkillMetricsStore } from '@skill-metrics/db-store'
import { importLegacy } from '@skill-metrics/testing/import-legacy'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DIALECTS, freshDatabase, type TestDatabase } from './schema.js'
import {
  copyFixture,
  expectContains,
  FIXTURE_NAMES,
  fixturePath,
  makeTempDir,
  removeDir,
  runCommand,
} from './support.js'

const SOURCES = ['json', ...DIALECTS.map((dialect) => `db:${dialect}` as const)]
const CASES = FIXTURE_NAMES.flatMap((name) => SOURCES.map((source) => [name, source] as const))

describe.each(CASES)('the %s fixture through the CLI, read from %s', (name, source) => {
  let dir: string
  let file: string
  /** `--source db --db URL` when reading a database the fixture was imported into. */
  let sourceArgs: string[] = []
  let database: TestDatabase | undefined
  beforeAll(async () => {
    dir = await makeTempDir()
    file = await copyFixture(name, dir)
    if (source !== 'json') {
      database = await freshDatabase(source === 'db:postgres' ? 'postgres' : 'sqlite')
      const store = await SkillMetricsStore.open({ target: database.target, migrate: true })
      await importLegacy(store, file)
      await store.close()
      sourceArgs = ['--source', 'db', '--db', database.url]
    }
  })
  afterAll(async () => {
    await database?.drop()
    await removeDir(dir)
  })

  const expected = async (suffix: string) => readFile(fixturePath(name, suffix), 'utf8')

  it('metrics --json holds what the original returned, plus percentiles', async () => {
    const run = await runCommand(['metrics', '--json', '--json-file', file, ...sourceArgs], {
      cwd: dir,
    })
    expect(run.exitCode, run.stderr).toBe(0)
    const actual = JSON.parse(run.stdout) as Record<string, Record<string, unknown>>
    const original = JSON.parse(await expected('.metrics.json')) as Record<string, unknown>
    expectContains(actual, original)
    // Same skills, in the file's order (names that look like numbers included).
    expect(Object.keys(actual).sort()).toEqual(Object.keys(original).sort())
    for (const [skill, metrics] of Object.entries(actual)) {
      for (const field of [
        'p50_duration_seconds',
        'p95_duration_seconds',
        'p99_duration_seconds',
      ]) {
        expect(metrics, `${skill} ${field}`).toHaveProperty([field])
      }
      if (metrics.p50_duration_seconds !== null) {
        expect(metrics.p50_duration_seconds as number).toBeLessThanOrEqual(
          metrics.p95_duration_seconds as number,
        )
      }
    }
  })

  it('summary --json equals what the original returned', async () => {
    const run = await runCommand(['summary', '--json', '--json-file', file, ...sourceArgs], {
      cwd: dir,
    })
    expect(run.exitCode, run.stderr).toBe(0)
    const original = JSON.parse(await expected('.summary.json')) as Record<string, unknown>
    const actual = JSON.parse(run.stdout) as Record<string, unknown>
    expectContains(actual, original)
    expect(Object.keys(actual)).toEqual(Object.keys(original))
  })

  it('report prints the original report exactly, and nothing else', async () => {
    const run = await runCommand(['report', '--json-file', file, ...sourceArgs], {
      cwd: dir,
      keepFinalNewline: true,
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toBe(`${await expected('.report.txt')}\n`)
    expect(run.stderr).toBe('')
  })

  it('report --json wraps the same text', async () => {
    const run = await runCommand(['report', '--json', '--json-file', file, ...sourceArgs], {
      cwd: dir,
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toEqual({ report: await expected('.report.txt') })
  })

  it('reading leaves the file as it was', async () => {
    expect(await readFile(file)).toEqual(await readFile(fixturePath(name)))
  })
})
