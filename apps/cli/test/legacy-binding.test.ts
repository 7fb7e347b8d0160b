import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import {
  canonicalDatabaseUrl,
  PhaseStore,
  parseDatabaseUrl,
  SchemaRunner,
} from '@skill-metrics/db-store'
import { afterEach, describe, expect, it } from 'vitest'
import { DIALECTS, freshDatabase, type TestDatabase } from './schema.js'
import { makeTempDir, runCli } from './support.js'

const created: TestDatabase[] = []
afterEach(async () => {
  for (const db of created.splice(0)) await db.drop()
})

// Few processes on purpose (each costs most of a second): one walk per dialect covers the three
// parts of issue 15 item 1 — a missing file, a database found from anywhere, a file the
// database does not serve.
describe.each(DIALECTS)('the legacy file and its database on %s', (dialect) => {
  it('a missing file is refused or warned of, the recorded database is found from anywhere, another file is refused', async () => {
    const home = await makeTempDir()
    const elsewhere = await makeTempDir()
    const jsonFile = join(home, '.session-buddy', 'skill_metrics.json')
    // SQLite by its default, relative to the folder `phase dual-write` runs in; PostgreSQL named.
    const db =
      dialect === 'sqlite'
        ? {
            url: 'sqlite:.session-buddy/skill_metrics.db',
            recorded: `sqlite:${home}/.session-buddy/skill_metrics.db`,
          }
        : await freshDatabase('postgres').then((fresh) => {
            created.push(fresh)
            return { url: fresh.url, recorded: canonicalDatabaseUrl(fresh.target) }
          })
    const target = parseDatabaseUrl(db.url, home)
    const runner = await SchemaRunner.open({ target })
    await runner.migrate()
    await runner.close()
    const named = dialect === 'sqlite' ? [] : ['--db', db.url]

    // A mistyped file: refused, named by its absolute path; a read warns on stderr only.
    const typo = await runCli(['phase', 'dual-write', '--json-file', 'typo.json', ...named], {
      cwd: home,
    })
    expect(typo.exitCode).toBe(4)
    expect(typo.stderr).toContain(`no file at ${join(home, 'typo.json')}: check --json-file`)
    const read = await runCli(['metrics', '--json', '--json-file', 'typo.json'], { cwd: home })
    expect(read.exitCode, read.stderr).toBe(0)
    expect(JSON.parse(read.stdout)).toEqual({})
    expect(read.stderr).toBe(
      `Warning: no legacy file at ${join(home, 'typo.json')}: check --json-file (SKILL_METRICS_JSON_FILE) and the current directory`,
    )

    // --allow-empty starts from nothing, recorded; the copy beside the file names the database.
    const empty = await runCli(['phase', 'dual-write', '--allow-empty', '--json', ...named], {
      cwd: home,
    })
    expect(empty.exitCode, empty.stderr).toBe(0)
    expect(JSON.parse(empty.stdout).checks).toEqual(
      expect.arrayContaining([
        {
          name: 'legacy file of this database',
          ok: true,
          detail: `${jsonFile} (none recorded yet)`,
        },
        {
          name: 'legacy file valid',
          ok: true,
          level: 'warn',
          detail: `no file at ${jsonFile}: migrating an empty tracker (--allow-empty)`,
        },
      ]),
    )

    // From another folder, with no --db: the writes reach the recorded database.
    const fromAnywhere = { cwd: elsewhere }
    expect(
      (await runCli(['track', 'review', '--json-file', jsonFile], fromAnywhere)).exitCode,
    ).toBe(0)
    const status = await runCli(['status', '--json', '--json-file', jsonFile], fromAnywhere)
    expect(JSON.parse(status.stdout)).toMatchObject({
      phase: 'dual-write',
      dualWriteMisses: 0,
      legacy: { file: jsonFile, exists: true, invocations: 1 },
      database: { url: db.recorded, invocations: 1, legacyFile: jsonFile },
    })
    const otherDatabase = await runCli(
      ['data', 'migrate', '--json-file', jsonFile, '--db', 'sqlite:other.db'],
      fromAnywhere,
    )
    expect(otherDatabase.exitCode).toBe(4)
    expect(otherDatabase.stderr).toContain(
      `--db sqlite:${elsewhere}/other.db is not the database ${jsonFile} migrates to: ${db.recorded}`,
    )

    // A copy of the file named against that database: refused, then accepted as a move, recorded.
    const moved = join(elsewhere, 'moved.json')
    await copyFile(jsonFile, moved)
    const migrateMoved = ['data', 'migrate', '--json-file', moved, '--db', db.url]
    const refused = await runCli(migrateMoved, { cwd: home })
    expect(refused.exitCode).toBe(4)
    expect(refused.stderr).toContain(`${db.recorded} serves ${jsonFile}, not ${moved}`)
    const forced = await runCli([...migrateMoved, '--force', '--reason', 'moved'], {
      cwd: home,
    })
    expect(forced.exitCode, forced.stderr).toBe(0)
    const health = await runCli(['health', '--json', '--json-file', jsonFile], fromAnywhere)
    expect(health.exitCode).toBe(4)
    expect(JSON.parse(health.stdout).checks).toContainEqual({
      name: 'legacy file of this database',
      ok: false,
      detail: expect.stringContaining(`${db.recorded} serves ${moved}, not ${jsonFile}`),
    })
    const phases = await PhaseStore.open(target)
    try {
      expect(await phases.servedLegacyFile()).toBe(moved)
      expect((await phases.history(1))[0]).toMatchObject({
        from_phase: 'dual-write',
        to_phase: 'dual-write',
        result: `ok: the legacy file moved to ${moved}`,
        forced: true,
        reason: 'moved',
      })
    } finally {
      await phases.close()
    }
  })
})
