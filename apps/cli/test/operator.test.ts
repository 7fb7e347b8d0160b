import { execSync } from 'node:child_process'
import { copyFile, mkdir, readdir, readFile, rmdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { createDataSource, SchemaRunner } from '@skill-metrics/db-store'
import { lockPathOf, lockQueuePathOf } from '@skill-metrics/json-tracker'
import { parseDatabaseUrl } from '@skill-metrics/migration'
import { advanceTo, inDualWrite } from '@skill-metrics/testing/phase-walk'
import { execa, type ResultPromise } from 'execa'
import { afterEach, describe, expect, it } from 'vitest'
import {
  DIALECTS,
  freshDatabase,
  LATEST_VERSION,
  REQUIRED_VERSION,
  type TestDatabase,
} from './schema.js'
import { fixturePath, makeTempDir, runCli } from './support.js'

// Issue 15, items 4, 6 and 7, through real processes: few of them (each costs most of a second),
// several checks per run.

const bin = fileURLToPath(new URL('../bin/run.js', import.meta.url))
const created: TestDatabase[] = []
afterEach(async () => {
  for (const db of created.splice(0)) await db.drop()
})

/** A migration in dual-write over a copy of the small fixture; `cli` runs a command against it. */
async function migration(dialect: 'sqlite' | 'postgres') {
  const moved = await inDualWrite(dialect, fixturePath('small'))
  created.push(moved.db)
  const where = ['--db', moved.db.url, '--json-file', moved.jsonFile]
  const cwd = dirname(moved.jsonFile)
  const cli = (...args: string[]) => runCli([...args, ...where], { cwd })
  /** A process to stop with a signal, as `runCli` would start it. */
  const started = (...args: string[]) =>
    execa('node', [bin, ...args, ...where], {
      cwd,
      reject: false,
      env: { SKILL_METRICS_JSON_FILE: undefined, SKILL_METRICS_DB: undefined },
    })
  return { ...moved, where, cli, started }
}

async function rows<T>(db: TestDatabase, query: string): Promise<T[]> {
  const database = await (await createDataSource(db.target)).initialize()
  try {
    return (await database.query(query)) as T[]
  } finally {
    await database.destroy()
  }
}

const historyOf = (db: TestDatabase) =>
  rows<{ from_phase: string; to_phase: string; result: string; forced: unknown; reason: string }>(
    db,
    'SELECT from_phase, to_phase, result, forced, reason FROM migration_history ORDER BY id DESC',
  )

const lastRecord = async (jsonFile: string) =>
  (
    JSON.parse(await readFile(jsonFile, 'utf8')) as { invocations: Array<Record<string, unknown>> }
  ).invocations.at(-1)

/**
 * Holds the writers' lock of `jsonFile` (a live holder's directory) until `run` waits for it (its
 * ticket, named with its pid, is in the queue): where it is stopped. Returns the release.
 */
async function blockedOnLock(jsonFile: string, run: () => ResultPromise) {
  await mkdir(lockPathOf(jsonFile))
  const waiter = run()
  for (const deadline = Date.now() + 20_000; ; await sleep(25)) {
    const tickets = await readdir(lockQueuePathOf(jsonFile)).catch(() => [])
    if (tickets.some((ticket) => ticket.endsWith(`-${waiter.pid}`))) break
    if (Date.now() > deadline) throw new Error(`it never waited: ${(await waiter).stderr}`)
  }
  return { waiter, release: () => rmdir(lockPathOf(jsonFile)) }
}

describe.each(DIALECTS)('operator-proof on %s', (dialect) => {
  it('schema rollback and a short retention need --force --reason and are recorded; track names the store it wrote and keeps --duration; cleanup leaves the archive named', async () => {
    const { db, jsonFile, cli } = await migration(dialect)
    const display = parseDatabaseUrl(db.url).display

    const tracked = await cli('track', 'review', '--duration', '3.5', '--json')
    expect(tracked.exitCode, tracked.stderr).toBe(0)
    expect(tracked.stderr).toBe('')
    expect(JSON.parse(tracked.stdout)).toMatchObject({
      skill_name: 'review',
      duration_seconds: 3.5,
      phase: 'dual-write',
      file: jsonFile,
      database: display,
      missed: null,
    })
    expect(await lastRecord(jsonFile)).toMatchObject({
      skill_name: 'review',
      duration_seconds: 3.5,
    })
    const [stored] = await rows<{ duration_seconds: number }>(
      db,
      "SELECT duration_seconds FROM skill_invocation WHERE skill_name = 'review'",
    )
    expect(Number(stored!.duration_seconds)).toBe(3.5)

    const below = REQUIRED_VERSION - 1
    const refused = await cli('schema', 'rollback', '--to', '3', '--json')
    expect(refused.exitCode, refused.stdout).toBe(4)
    expect(JSON.parse(refused.stdout).error.message).toBe(
      `refused to roll the schema back to V3: phase is dual-write, which needs the schema at V${REQUIRED_VERSION}: below it writers and phase commands stop; it drops the phase history (migration_history) too`,
    )
    const forced = await cli(
      'schema',
      'rollback',
      '--to',
      String(below),
      '--force',
      '--reason',
      'restore drill',
      '--json',
    )
    expect(forced.exitCode, forced.stdout).toBe(0)
    expect(JSON.parse(forced.stdout)).toMatchObject({ forced: true, current: below })
    const [audited] = await rows<{ action: string; version: number; detail: string }>(
      db,
      "SELECT action, version, detail FROM schema_migrations_audit WHERE action = 'rollback-forced'",
    )
    expect(JSON.parse(audited!.detail)).toEqual({
      phase: 'dual-write',
      needs: REQUIRED_VERSION,
      to: below,
      reason: 'restore drill',
    })
    expect((await historyOf(db)).slice(0, 2)).toMatchObject([
      {
        to_phase: 'dual-write',
        result: `schema rolled back to V${below} (below V${REQUIRED_VERSION}, which dual-write needs)`,
        reason: 'restore drill',
      },
      { to_phase: 'dual-write', result: expect.stringMatching(/^refused: schema rollback: /) },
    ])
    const runner = await SchemaRunner.open({ target: db.target })
    await runner.migrate()
    await runner.close()

    const eightDaysAgo = { now: () => new Date(Date.now() - 8 * 86_400_000) }
    await advanceTo({ db, jsonFile, target: db.target }, 'dual-write', 'db-primary', eightDaysAgo)
    const primary = await cli('track', 'primary')
    expect(primary.exitCode, primary.stderr).toBe(0)
    expect(primary.stdout).toMatch(
      new RegExp(`^Completed primary \\(invoked at \\S+, 0 s\\) in the database ${display}$`),
    )

    const cleaned = await cli('cleanup', '--retention-days', '3', '--force', '--reason', 'tidy')
    expect(cleaned.exitCode, cleaned.stderr).toBe(0)
    expect(cleaned.stdout).toContain(
      'FAIL retention not shorter than the default 7 days: --retention-days 3 is shorter than the default 7',
    )
    expect((await historyOf(db))[0]).toMatchObject({
      to_phase: 'cleaned',
      result: 'ok',
      reason: 'tidy',
    })
    expect(Boolean(Number((await historyOf(db))[0]!.forced))).toBe(true)

    // A rollback stopped before its database commit leaves the mark; status names the command.
    const copy = JSON.parse(await readFile(`${jsonFile}.phase.json`, 'utf8'))
    await writeFile(
      `${jsonFile}.phase.json`,
      JSON.stringify({ ...copy, phase: 'dual-write', epoch: copy.epoch + 2, transitioning: true }),
    )
    const status = await cli('status')
    expect(status.exitCode, status.stderr).toBe(0)
    const archive = `${jsonFile}.archive-`
    expect(status.stdout).toMatch(
      new RegExp(
        `^Legacy file +${jsonFile} +archived by cleanup to ${archive}\\d{8}T\\d{6}Z\\.json\\.gz$`,
        'm',
      ),
    )
    expect(status.stdout).toMatch(
      /^Phase +cleaned \(epoch \d+\) — the move to dual-write did not finish \(skill-metrics rollback --to dual-write\)$/m,
    )
    expect(status.stdout).toMatch(
      /^Next +skill-metrics rollback --to dual-write \(the move to dual-write did not finish: a rerun finishes it\)$/m,
    )
    const summary = await cli('summary', '--source', 'json')
    expect(summary.exitCode).toBe(4)
    expect(summary.stdout).toBe('')
    expect(summary.stderr).toContain(`Error: ${jsonFile} was archived by cleanup to ${archive}`)
  })

  it('track in dual-write with the database down: exit 0, the file has it, one warning line', async () => {
    const cwd = await makeTempDir('sm-down-')
    const jsonFile = join(cwd, 'skill_metrics.json')
    await copyFile(fixturePath('small'), jsonFile)
    const copy = { phase: 'dual-write', epoch: 1, transitioning: false, updated_at: '2025-01-06' }
    await writeFile(`${jsonFile}.phase.json`, `${JSON.stringify(copy)}\n`)
    // Nothing listens on port 1; a SQLite path under a regular file cannot be created.
    const down =
      dialect === 'postgres' ? 'postgres://postgres@127.0.0.1:1/test' : `sqlite:${jsonFile}/db`
    const run = await runCli(['track', 'review', '--db', down, '--json-file', jsonFile], { cwd })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toMatch(
      new RegExp(`^Completed review \\(invoked at \\S+, 0 s\\) in ${jsonFile}$`),
    )
    expect(run.stderr.split('\n')).toHaveLength(1)
    expect(run.stderr).toMatch(
      /^Warning: the database missed this write; `skill-metrics data migrate` repairs it \(.+\)$/,
    )
    expect(await lastRecord(jsonFile)).toMatchObject({ skill_name: 'review', completed: true })
  })

  it('SIGTERM and SIGINT stop a long command with what was done, the command to rerun and exit 143 or 130', async () => {
    const { db, jsonFile, where, started } = await migration(dialect)
    const migrate = await blockedOnLock(jsonFile, () => started('data', 'migrate', '--final'))
    migrate.waiter.kill('SIGTERM')
    const stopped = await migrate.waiter
    await migrate.release()
    expect(stopped.exitCode, String(stopped.stderr)).toBe(143)
    expect(stopped.stderr).toBe(
      [
        'Error: data migrate stopped by SIGTERM: no record was read yet; every batch committed before the signal is kept, the one in flight was not committed, and a rerun skips the batches already in sync',
        `Next step: Rerun: skill-metrics data migrate --final ${where.join(' ')}`,
      ].join('\n'),
    )

    await advanceTo({ db, jsonFile, target: db.target }, 'dual-write', 'dual-read')
    const cutover = await blockedOnLock(jsonFile, () => started('cutover', '--json'))
    cutover.waiter.kill('SIGINT')
    const interrupted = await cutover.waiter
    await cutover.release()
    expect(interrupted.exitCode, String(interrupted.stderr)).toBe(130)
    expect(JSON.parse(String(interrupted.stdout))).toEqual({
      error: {
        code: 'INTERRUPTED',
        message:
          'cutover stopped by SIGINT: it stopped in its freeze step (done: sync, validate, backup); the phase is still dual-read',
        nextStep: `Rerun: skill-metrics cutover --json ${where.join(' ')}`,
        exitCode: 130,
      },
    })
    expect((await historyOf(db))[0]).toMatchObject({ to_phase: 'dual-read', result: 'ok' })
  })
})

const hasScript = (() => {
  try {
    execSync('script --version', { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

// util-linux `script` gives the CLI a terminal; the prompt's answers are unit-tested in src/confirm.test.ts.
it.skipIf(!hasScript)(
  'on a terminal, a schema rollback that drops tables asks first; no is exit 4 and nothing undone',
  async () => {
    const db = await freshDatabase('sqlite')
    const cwd = await makeTempDir()
    const args = [
      'schema',
      'rollback',
      '--to',
      '0',
      '--db',
      db.url,
      '--json-file',
      join(cwd, 'f.json'),
    ]
    const runner = await SchemaRunner.open({ target: db.target })
    await runner.migrate()
    await runner.close()
    const terminal = execa('script', ['-qec', ['node', bin, ...args].join(' '), '/dev/null'], {
      cwd,
      reject: false,
    })
    let shown = ''
    terminal.stdout!.on('data', (chunk) => {
      shown += String(chunk)
      if (shown.includes('[y/N] ')) terminal.stdin!.end('n\n')
    })
    const run = await terminal
    expect(run.exitCode, shown).toBe(4)
    expect(shown).toMatch(
      /Undoing V\d+(, V\d+)*, V1 drops \S+(, \S+)* and every row in them\. Continue\? \[y\/N\]/,
    )
    expect(shown).toContain('migration_history, migration_state')
    expect(shown).toContain('Error: schema rollback not confirmed; nothing was undone')
    const check = await SchemaRunner.open({ target: db.target, readOnly: true })
    expect((await check.status()).current).toBe(LATEST_VERSION)
    await check.close()
  },
  30_000,
)
