import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { SchemaRunner } from '@skill-metrics/db-store'
import { LOCK_STALE_MS, lockPathOf } from '@skill-metrics/json-tracker'
import { advanceTo, inDualWrite } from '@skill-metrics/testing/phase-walk'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DIALECTS,
  freshDatabase,
  LATEST_VERSION,
  migrationsCopy,
  REQUIRED_VERSION,
  type TestDatabase,
} from './schema.js'
import { makeTempDir, runCommand } from './support.js'

const created: TestDatabase[] = []
afterEach(async () => {
  for (const db of created.splice(0)) await db.drop()
})

async function migration(dialect: 'sqlite' | 'postgres') {
  const moved = await inDualWrite(dialect)
  created.push(moved.db)
  const cli = (...args: string[]) =>
    runCommand([...args, '--db', moved.db.url, '--json-file', moved.jsonFile], {
      cwd: dirname(moved.jsonFile),
    })
  return { ...moved, cli }
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const EIGHT_DAYS_AGO = { now: () => new Date(Date.now() - 8 * 86_400_000) }

describe.each(DIALECTS)('cleanup and health on %s', (dialect) => {
  it('health passes through the phases; cleanup refuses inside the retention period, archives after it', async () => {
    const moved = await migration(dialect)
    const { cli, jsonFile } = moved
    expect((await cli('track', 'review')).exitCode).toBe(0)
    const dualWrite = await cli('health')
    expect(dualWrite.exitCode, dualWrite.stderr).toBe(0)
    expect(dualWrite.stdout).toContain(
      'ok   no foreign write since the last clean validation: none recorded',
    )
    expect(dualWrite.stdout).toMatch(/Healthy\.$/)

    await advanceTo(moved, 'dual-write', 'db-primary', EIGHT_DAYS_AGO)
    const primary = await cli('health', '--json')
    expect(primary.exitCode, primary.stdout).toBe(0)
    expect(JSON.parse(primary.stdout)).toMatchObject({ ok: true })

    const early = await cli('cleanup', '--retention-days', '30')
    expect(early.exitCode).toBe(4)
    expect(early.stderr).toMatch(
      /refused to move from db-primary to cleaned: cutover at .*; the retention ends at/,
    )
    expect((await cli('cleanup', '--retention-days', '1.5')).exitCode).toBe(2)
    expect((await cli('cleanup', '--force')).exitCode).toBe(2)
    const dry = await cli('cleanup', '--dry-run')
    expect(dry.exitCode, dry.stderr).toBe(0)
    expect(dry.stdout).toContain(`Would move db-primary → cleaned (epoch 5), archiving ${jsonFile}`)

    const original = await readFile(jsonFile)
    expect((await readdir(dirname(jsonFile))).filter((name) => name.includes('.archive-'))).toEqual(
      [],
    )
    const cleaned = await cli('cleanup', '--json')
    expect(cleaned.exitCode, cleaned.stdout).toBe(0)
    const { archive } = JSON.parse(cleaned.stdout)
    expect(existsSync(jsonFile)).toBe(false)
    const compressed = await readFile(archive.path)
    expect(gunzipSync(compressed)).toEqual(original)
    const manifest = await readFile(archive.manifest, 'utf8')
    expect(manifest.match(/[0-9a-f]{64}/g)).toEqual([sha256(compressed), sha256(original)])

    const after = await cli('health')
    expect(after.exitCode, after.stderr).toBe(0)
    expect((await cli('cleanup')).exitCode).toBe(4)
  })

  it('health exits 4 naming the failed check: stuck lock, epoch disagreement, foreign writer', async () => {
    const { cli, jsonFile } = await migration(dialect)
    expect((await cli('track', 'review')).exitCode).toBe(0)
    await mkdir(lockPathOf(jsonFile))
    expect((await cli('health')).exitCode).toBe(0)
    const longAgo = new Date(Date.now() - LOCK_STALE_MS - 5_000)
    await utimes(lockPathOf(jsonFile), longAgo, longAgo)
    const stuck = await cli('health')
    expect(stuck.exitCode).toBe(4)
    expect(stuck.stdout).toMatch(/^FAIL no stuck lock: /m)
    expect(stuck.stderr).toMatch(/^Error: unhealthy: no stuck lock \(/m)
    // The next writer takes a stuck lock over, and releases it.
    expect((await cli('track', 'review')).exitCode).toBe(0)

    const copyFile = `${jsonFile}.phase.json`
    const copy = JSON.parse(await readFile(copyFile, 'utf8'))
    await writeFile(copyFile, JSON.stringify({ ...copy, epoch: copy.epoch + 1 }))
    const disagreeing = await cli('health', '--json')
    expect(disagreeing.exitCode).toBe(4)
    expect(JSON.parse(disagreeing.stdout).error.message).toMatch(
      /^unhealthy: phase and epoch consistent \(the copy beside the file says dual-write \(epoch 2\); the database says dual-write \(epoch 1\)/,
    )
    await writeFile(copyFile, JSON.stringify(copy))

    const text = await readFile(jsonFile, 'utf8')
    await writeFile(jsonFile, text.replace('"total_invocations": 2', '"total_invocations": 3'))
    const foreign = await cli('health')
    expect(foreign.exitCode).toBe(4)
    expect((await cli('status')).stdout).toMatch(/^Foreign writes +1 recorded/m)
    expect(foreign.stderr).toMatch(
      /^Error: unhealthy: no foreign write since the last clean validation \(1 foreign write\(s\) to .*, the last at /m,
    )
  })

  it('health exits 4 on a pending schema version', async () => {
    const db = await freshDatabase(dialect)
    created.push(db)
    const runner = await SchemaRunner.open({ target: db.target })
    await runner.migrate({ target: REQUIRED_VERSION - 1 })
    await runner.close()
    const cwd = await makeTempDir()
    const run = await runCommand(
      ['health', '--db', db.url, '--json-file', join(cwd, 'skill_metrics.json')],
      { cwd },
    )
    expect(run.exitCode).toBe(4)
    expect(run.stdout).toMatch(
      /^FAIL schema at the latest version: V\d+ of V\d+ \(pending: V\d+(, V\d+)*\)/m,
    )
  })
})

describe.each(DIALECTS)('an optional schema version pending on %s', (dialect) => {
  // What a release bringing an index-only version looks like: the shipped migrations and one more,
  // marked optional, that this database has not applied yet.
  const OPTIONAL = LATEST_VERSION + 1
  const described = `V${OPTIONAL} index invocations by time`

  it('does not stop writers; health warns, status and schema status show it with its command', async () => {
    const moved = await migration(dialect)
    await advanceTo(moved, 'dual-write', 'db-primary')
    const migrations = await migrationsCopy()
    await writeFile(
      join(migrations, `V${OPTIONAL}__index_invocations_by_time.sql`),
      '-- SKILL-METRICS: Optional\nCREATE INDEX idx_test_invoked_at ON skill_invocation(invoked_at);\n\n-- Rollback migration\n-- DROP INDEX IF EXISTS idx_test_invoked_at;\n',
    )
    const cli = (...args: string[]) =>
      runCommand([...args, '--db', moved.db.url, '--json-file', moved.jsonFile], {
        cwd: dirname(moved.jsonFile),
        env: { SKILL_METRICS_MIGRATIONS_DIR: migrations },
      })

    const tracked = await cli('track', 'review')
    expect(tracked.exitCode, tracked.stderr).toBe(0)
    const health = await cli('health', '--json')
    expect(health.exitCode, health.stdout).toBe(0)
    expect(JSON.parse(health.stdout).checks).toContainEqual({
      name: 'schema at the latest version',
      ok: true,
      level: 'warn',
      detail: `V${LATEST_VERSION} of V${OPTIONAL}; optional, pending: ${described}; run: skill-metrics schema migrate`,
    })
    const status = await cli('status', '--json')
    const reported = JSON.parse(status.stdout)
    expect(reported).toMatchObject({
      phase: 'db-primary',
      database: {
        pendingVersions: [OPTIONAL],
        pendingOptional: {
          versions: [{ version: OPTIONAL, description: 'index invocations by time' }],
          command: 'skill-metrics schema migrate',
        },
        invocations: 1,
      },
    })
    expect(reported.next).not.toBe('skill-metrics schema migrate')
    expect((await cli('status')).stdout).toContain(
      `Optional schema  ${described} pending, not needed to open the store; run: skill-metrics schema migrate`,
    )
    const schema = await cli('schema', 'status', '--json')
    expect(
      JSON.parse(schema.stdout).versions.find(
        (version: { version: number }) => version.version === OPTIONAL,
      ),
    ).toMatchObject({ state: 'pending', optional: true })

    expect((await cli('schema', 'migrate')).exitCode).toBe(0)
    const after = await cli('health', '--json')
    expect(JSON.parse(after.stdout).checks).toContainEqual({
      name: 'schema at the latest version',
      ok: true,
      detail: `V${OPTIONAL}`,
    })
    expect(JSON.parse((await cli('status', '--json')).stdout).database.pendingOptional).toBeNull()
  })
})

describe('health without a database', () => {
  it('exits 4 naming the unreachable database', async () => {
    const cwd = await makeTempDir()
    const run = await runCommand(
      [
        'health',
        '--db',
        'postgres://postgres@127.0.0.1:1/none',
        '--json-file',
        join(cwd, 'f.json'),
      ],
      { cwd },
    )
    expect(run.exitCode).toBe(4)
    expect(run.stdout).toMatch(/^FAIL database reachable: /m)
    expect(run.stderr).toMatch(/^Error: unhealthy: database reachable \(/m)
  })
})
