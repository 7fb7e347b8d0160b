import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExitCode, invocationId } from '@skill-metrics/core'
import { DIALECTS, freshDatabase, type TestDatabase } from '@skill-metrics/testing/databases'
import { expectContains, fixturesDir, plainMetrics } from '@skill-metrics/testing/fixtures'
import { importLegacy, regenerateLegacy } from '@skill-metrics/testing/import-legacy'
import { NEXT_VERSION, REQUIRED_VERSION } from '@skill-metrics/testing/versions'
import { afterEach, describe, expect, it } from 'vitest'
import { BUNDLED_MIGRATIONS_DIR, SchemaRunner } from '../src/schema/schema-runner.js'
import { SkillMetricsStore } from '../src/store/skill-metrics-store.js'

const fixture = (name: string, suffix = '.json') => `${fixturesDir}${name}${suffix}`

const cleanups: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup()
})

async function openStore(
  dialect: 'sqlite' | 'postgres',
): Promise<{ store: SkillMetricsStore; db: TestDatabase }> {
  const db = await freshDatabase(dialect)
  cleanups.push(db.drop)
  const store = await SkillMetricsStore.open({ target: db.target, migrate: true })
  cleanups.unshift(() => store.close())
  return { store, db }
}

const withoutLastUpdated = (text: string) =>
  text.replace(/"last_updated": "[^"]*"/, '"last_updated": X')

describe.each(DIALECTS)('SkillMetricsStore on %s', (dialect) => {
  it.each(['small', 'medium', 'edge'])(
    'imports %s.json exactly, and a second import changes nothing',
    async (name) => {
      const { store } = await openStore(dialect)
      const first = await importLegacy(store, fixture(name))
      expect(first.inserted).toBeGreaterThan(0)
      expectContains(
        plainMetrics(await store.getAllMetrics()),
        JSON.parse(await readFile(fixture(name, '.metrics.json'), 'utf8')),
      )
      expect([...(await store.getAllMetrics()).keys()]).toEqual([
        ...(await store.skillAggregates()).keys(),
      ])
      expectContains(
        await store.getSummary(),
        JSON.parse(await readFile(fixture(name, '.summary.json'), 'utf8')),
      )
      expect(await store.generateReport()).toBe(
        await readFile(fixture(name, '.report.txt'), 'utf8'),
      )
      const original = await readFile(fixture(name), 'utf8')
      const regenerated = await regenerateLegacy(store, '2099-01-01T00:00:00')
      expect(withoutLastUpdated(regenerated)).toBe(withoutLastUpdated(original))
      const second = await importLegacy(store, fixture(name))
      expect(second).toEqual({ inserted: 0, updated: 0, unchanged: first.inserted })
      expect(await regenerateLegacy(store, '2099-01-01T00:00:00')).toBe(regenerated)
    },
  )

  it('tracks an invocation as pending, then completes it once with its aggregates', async () => {
    let now = new Date(2025, 2, 1, 8, 0, 0)
    const db = await freshDatabase(dialect)
    cleanups.push(db.drop)
    const clocked = await SkillMetricsStore.open({
      target: db.target,
      migrate: true,
      clock: { now: () => now },
    })
    cleanups.unshift(() => clocked.close())
    const complete = await clocked.trackInvocation('review', {
      workflowPath: 'full',
      sessionId: 's-1',
    })
    const [pending] = await collect(clocked.invocations())
    expect(pending).toMatchObject({
      id: invocationId('review', '2025-03-01T08:00:00', 'full', 0),
      completed: false,
      duration_seconds: null,
      seq: 0,
    })
    expect(await clocked.getSkillMetrics('review')).toBeNull()
    now = new Date(2025, 2, 1, 8, 0, 2, 500)
    await complete({ followUpActions: ['commit', 'commit'], errorType: 'Warn' })
    const review = await clocked.getSkillMetrics('review')
    expect(review).toMatchObject({
      total_invocations: 1,
      completed_invocations: 1,
      total_duration_seconds: 2.5,
      first_invoked: '2025-03-01T08:00:00',
      last_invoked: '2025-03-01T08:00:00',
      completion_rate: 100,
      p50_duration_seconds: 2.5,
    })
    expect([...review!.follow_up_actions]).toEqual([['commit', 2]])
    await expect(complete()).rejects.toThrow(/already called/)
  })

  it('a completion retried after a crash between commit and return does not count twice', async () => {
    const { store } = await openStore(dialect)
    const id = await store.recordInvocation({
      skill_name: 's',
      invoked_at: '2025-01-01T00:00:00',
      workflow_path: null,
      session_id: null,
    })
    await store.completeInvocation(id, { durationSeconds: 3 })
    // The caller never saw the first call return and tries again, as a restarted process would.
    await store.completeInvocation(id, { durationSeconds: 3 })
    await store.completeInvocation(id, { completed: false, durationSeconds: 9 })
    expect(await store.getSkillMetrics('s')).toMatchObject({
      total_invocations: 1,
      completed_invocations: 1,
      total_duration_seconds: 3,
    })
  })

  it('round-trips hostile names and paths exactly: every query is parameterised', async () => {
    const { store } = await openStore(dialect)
    const names = [
      `'; DROP TABLE skill_metrics; --`,
      'with "double" and \'single\' quotes',
      '🎉 emoji ünïcode ✓',
      'x'.repeat(5_000),
      '3',
      'back\\slash and \n newline',
    ]
    for (const name of names) {
      const complete = await store.trackInvocation(name, { workflowPath: `path/${name}` })
      await complete({ followUpActions: [name, 'then'], errorType: `E: ${name}` })
    }
    const metrics = await store.getAllMetrics()
    expect([...metrics.keys()]).toEqual(names)
    for (const name of names) {
      expect([...metrics.get(name)!.workflow_paths.keys()]).toEqual([`path/${name}`])
      expect([...metrics.get(name)!.follow_up_actions.keys()]).toEqual([name, 'then'])
      expect([...metrics.get(name)!.common_errors.keys()]).toEqual([`E: ${name}`])
    }
    const stored = await collect(store.invocations())
    expect(stored.map((invocation) => invocation.skill_name)).toEqual(names)
  })

  it('keeps session_skill per session, refreshes the summary table and exports the legacy layout', async () => {
    const { store, db } = await openStore(dialect)
    for (const [skill, session, completed] of [
      ['review', 's-1', true],
      ['review', 's-1', false],
      ['lint', 's-1', true],
      ['review', 's-2', true],
      ['review', null, true],
    ] as const) {
      const complete = await store.trackInvocation(
        skill,
        session === null ? {} : { sessionId: session },
      )
      await complete({ completed })
    }
    const summary = await store.refreshSummary()
    expect(summary).toMatchObject({
      total_skills: 2,
      total_invocations: 5,
      most_used_skill: 'review',
    })
    const { default: pg } = await import('pg')
    const { default: Database } = await import('better-sqlite3')
    const query = async (sql: string) => {
      if (db.target.dialect === 'sqlite') {
        const raw = new Database(db.target.path, { readonly: true })
        try {
          return raw.prepare(sql).all() as Array<Record<string, unknown>>
        } finally {
          raw.close()
        }
      }
      const client = new pg.Client({ connectionString: db.url })
      await client.connect()
      try {
        return (await client.query(sql)).rows as Array<Record<string, unknown>>
      } finally {
        await client.end()
      }
    }
    const sessions = await query(
      'SELECT session_id, skill_name, invocation_count FROM session_skill ORDER BY session_id, skill_name',
    )
    expect(
      sessions.map((row) => [row.session_id, row.skill_name, Number(row.invocation_count)]),
    ).toEqual([
      ['s-1', 'lint', 1],
      ['s-1', 'review', 2],
      ['s-2', 'review', 1],
    ])
    const [refreshed] = await query(
      'SELECT total_skills, total_invocations, most_used_skill FROM skill_metrics_summary',
    )
    expect(refreshed).toMatchObject({ most_used_skill: 'review' })
    expect(Number(refreshed!.total_invocations)).toBe(5)

    const out = `${db.target.dialect === 'sqlite' ? db.target.path : '/tmp/sm-export'}-${Date.now()}.json`
    await store.exportMetrics(out)
    const exported = JSON.parse(await readFile(out, 'utf8'))
    expect(Object.keys(exported)).toEqual(['summary', 'skills', 'invocations', 'exported_at'])
    expect(exported.invocations).toHaveLength(5)
    expect(exported.summary.total_invocations).toBe(5)
    expect(Object.keys(exported.skills)).toEqual(['review', 'lint'])
  })

  it('refuses to open while schema versions are pending, with exit 4', async () => {
    const db = await freshDatabase(dialect)
    cleanups.push(db.drop)
    const runner = await SchemaRunner.open({ target: db.target })
    await runner.migrate({ target: 2 })
    await runner.close()
    const error = await SkillMetricsStore.open({ target: db.target }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toMatchObject({ exitCode: ExitCode.refused })
    expect((error as Error).message).toContain(
      `at V2; this version of skill-metrics needs V${REQUIRED_VERSION}`,
    )
  })
})

describe.each(DIALECTS)('an optional schema version on %s', (dialect) => {
  it('lets the store open while it is pending, but not a required version after it', async () => {
    const db = await freshDatabase(dialect)
    cleanups.push(db.drop)
    const dir = join(await mkdtemp(join(tmpdir(), 'sm-optional-')), 'migrations')
    await cp(BUNDLED_MIGRATIONS_DIR, dir, { recursive: true, dereference: true })
    const runner = await SchemaRunner.open({ target: db.target, migrationsDir: dir })
    await runner.migrate()
    await runner.close()
    // Shared by both dialects: the statements are the same.
    await writeFile(
      join(dir, `V${NEXT_VERSION}__index_errors.sql`),
      '-- skill-metrics: optional\nCREATE INDEX idx_error ON skill_invocation(error_type);\n-- Rollback migration\n-- DROP INDEX idx_error;\n',
    )
    const store = await SkillMetricsStore.open({ target: db.target, migrationsDir: dir })
    const complete = await store.trackInvocation('review')
    await complete({})
    expect(await store.invocationCount()).toBe(1)
    await store.close()

    await writeFile(
      join(dir, `V${NEXT_VERSION + 1}__extra_table.sql`),
      'CREATE TABLE extra (x INTEGER);\n-- Rollback migration\n-- DROP TABLE extra;\n',
    )
    const error = await SkillMetricsStore.open({ target: db.target, migrationsDir: dir }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toMatchObject({ exitCode: ExitCode.refused })
    expect((error as Error).message).toContain(
      `at V${NEXT_VERSION - 1}; this version of skill-metrics needs V${NEXT_VERSION + 1}`,
    )
  })
})

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}
