import { createHash } from 'node:crypto'
import {
  chmod,
  copyFile,
  cp,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { parseArgs } from 'node:util'
import { gunzipSync } from 'node:zlib'
import { execa } from 'execa'
import pg from 'pg'
import { z } from 'zod'
import {
  type DiskFullReport,
  FULL_MS,
  holdDiskFull,
  Tmpfs,
  tmpfsBytesFor,
  underCi,
} from './disk-full.js'
import {
  aggregatesMatchRecords,
  type FullPeriod,
  judgeRefusals,
  lostOrDoubled,
  type Refusal,
  sameInvocations,
  type Violation,
} from './invariants.js'
import {
  type DatabaseReader,
  postgresReader,
  readLegacyFile,
  type StoreContent,
  sqliteReader,
} from './stores.js'
import { cliBin, Writers } from './writers.js'

const optionsSchema = z.strictObject({
  dialect: z.enum(['sqlite', 'postgres']),
  invocations: z.coerce.number().int().min(100).max(10_000_000),
  writers: z.coerce.number().int().min(1).max(64),
  chaos: z.boolean(),
  'disk-full': z.boolean(),
  json: z.boolean(),
  'freeze-timeout': z.coerce.number().int().min(1).max(600),
  /** A fault for the harness's own test: the backfill "skips" the file's first record. */
  break: z.enum(['skip-backfill-record']).optional(),
})
type Options = z.infer<typeof optionsSchema>

export interface StepReport {
  step: string
  seconds: number
  json: number | null
  db: number | null
  mismatches: number
  /** The longest a writer was held during the step (see `Writers.takeLongestWriteMs`). */
  longestWriteSeconds: number | null
  result: string
}

export interface SmokeReport {
  ok: boolean
  options: Omit<Options, 'json'>
  seconds: number
  steps: StepReport[]
  violations: Array<Violation & { step: string }>
  /** With `--disk-full`: the tmpfs, the full period and the writes it refused. */
  diskFull?: DiskFullReport
}

const USAGE = `usage: pnpm smoke [--dialect sqlite|postgres] [--invocations N] [--writers K] [--chaos] [--disk-full] [--freeze-timeout S] [--json]
  --disk-full: the legacy file (and SQLite database) on a small tmpfs, filled for ${FULL_MS / 1000} s of dual-write (needs root; without the mount, skipped outside CI, fails under CI)`

/** A CLI step that exits non-zero where the lifecycle expects 0. */
class StepFailed extends Error {}

export async function main(argv: string[]): Promise<number> {
  let options: Options
  try {
    const { values } = parseArgs({
      args: argv.filter((arg) => arg !== '--'),
      options: {
        dialect: { type: 'string', default: 'sqlite' },
        invocations: { type: 'string', default: '5000' },
        writers: { type: 'string', default: '4' },
        chaos: { type: 'boolean', default: false },
        'disk-full': { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        'freeze-timeout': { type: 'string', default: '5' },
        break: { type: 'string' },
      },
    })
    options = optionsSchema.parse(values)
  } catch (error) {
    const message =
      error instanceof z.ZodError
        ? error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('; ')
        : (error as Error).message
    process.stderr.write(`${message}\n${USAGE}\n`)
    return 2
  }
  const report = await runSmoke(options)
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`)
  else {
    const { makeTable } = await import('@oclif/table')
    process.stdout.write(
      `${makeTable({
        data: report.steps.map((step) => ({
          ...step,
          seconds: step.seconds.toFixed(1),
          json: step.json ?? '-',
          db: step.db ?? '-',
          longestWrite: step.longestWriteSeconds?.toFixed(1) ?? '-',
        })),
        columns: [
          { key: 'step', name: 'Step' },
          { key: 'seconds', name: 'Seconds' },
          { key: 'json', name: 'JSON invocations' },
          { key: 'db', name: 'DB invocations' },
          { key: 'mismatches', name: 'Mismatches' },
          { key: 'longestWrite', name: 'Longest write (s)' },
          { key: 'result', name: 'Result' },
        ],
        overflow: 'wrap',
      })}\n`,
    )
    for (const violation of report.violations)
      process.stdout.write(
        `VIOLATION after ${violation.step}: ${violation.invariant}: ${violation.detail}\n`,
      )
    const diskFull =
      report.diskFull === undefined
        ? ''
        : report.diskFull.skipped !== undefined
          ? `, disk-full skipped (${report.diskFull.skipped})`
          : report.diskFull.fullSeconds === undefined
            ? ', disk-full (not reached)'
            : `, disk-full (${report.diskFull.refused} writes refused with exit 4)`
    process.stdout.write(
      `${report.ok ? 'ok' : 'FAILED'}: ${options.dialect}, ${options.invocations} invocations, ${options.writers} writers${options.chaos ? ', chaos' : ''}${diskFull}, ${report.seconds.toFixed(1)} s\n`,
    )
  }
  return report.ok ? 0 : 1
}

interface Database {
  url: string
  reader: DatabaseReader
  drop(): Promise<void>
}

async function database(dialect: Options['dialect'], dir: string): Promise<Database> {
  if (dialect === 'sqlite') {
    const path = join(dir, 'skill_metrics.db')
    const reader = sqliteReader(path)
    return { url: `sqlite:${path}`, reader, drop: () => reader.close() }
  }
  const base = process.env.SKILL_METRICS_SMOKE_PG ?? 'postgres://postgres@127.0.0.1:5432/test'
  const schema = `smoke_${process.pid}_${Date.now()}`
  const admin = new pg.Client({ connectionString: base })
  await admin.connect()
  await admin.query(`CREATE SCHEMA "${schema}"`)
  await admin.end()
  const reader = postgresReader(base, schema)
  return {
    url: `${base}?schema=${schema}`,
    reader,
    async drop() {
      await reader.close()
      const client = new pg.Client({ connectionString: base })
      await client.connect()
      await client.query(`DROP SCHEMA "${schema}" CASCADE`)
      await client.end()
    },
  }
}

export async function runSmoke(options: Options): Promise<SmokeReport> {
  const started = performance.now()
  const dir = await mkdtemp(join(tmpdir(), 'skill-metrics-smoke-'))
  const stateDir = join(dir, '.session-buddy')
  const jsonFile = join(stateDir, 'skill_metrics.json')
  await mkdir(stateDir)
  // With --disk-full a tmpfs is mounted on the file's folder: the SQLite database goes there too.
  const db = await database(options.dialect, options['disk-full'] ? stateDir : dir)
  const steps: StepReport[] = []
  const violations: SmokeReport['violations'] = []
  const cli = (args: string[]) =>
    execa('node', [cliBin, ...args, '--json-file', jsonFile, '--db', db.url], { reject: false })
  const expectOk = async (args: string[]) => {
    const run = await cli(args)
    if (run.exitCode !== 0)
      throw new StepFailed(
        `skill-metrics ${args.join(' ')} exited ${run.exitCode}: ${String(run.stderr || run.stdout)
          .trim()
          .slice(0, 400)}`,
      )
    return run
  }
  /**
   * Runs a command; with chaos, kills it with SIGKILL at a random moment first, then checks that
   * `status` answers and that a rerun finishes the work.
   */
  const run = async (args: string[], killWithinMs?: number) => {
    if (killWithinMs === undefined) {
      await expectOk(args)
      return undefined
    }
    const killed = cli(args)
    await Promise.race([sleep(Math.floor(Math.random() * killWithinMs)), killed])
    killed.kill('SIGKILL')
    const outcome = await killed
    await expectOk(['status', '--json'])
    await expectOk(args)
    return outcome.exitCode === 0 ? 'finished before the kill' : 'killed, status answered, rerun ok'
  }
  let writers: Writers | undefined
  const diskFull: DiskFullReport | undefined = options['disk-full'] ? { refused: 0 } : undefined
  const disk: { tmpfs?: Tmpfs; full?: FullPeriod } = {}
  const refusedWhileFull: Refusal[] = []
  const refusalViolations: Violation[] = []
  /** The writers' refusals so far: counted while the disk was full, errors otherwise. */
  const collectRefusals = async () => {
    const judged = judgeRefusals((await writers?.takeRefusals()) ?? [], disk.full)
    refusedWhileFull.push(...judged.during)
    refusalViolations.push(...judged.violations)
  }
  const mismatches = async () => {
    const text = await readFile(`${jsonFile}.dual-read-mismatches.jsonl`, 'utf8').catch(() => '')
    return text.split('\n').filter((line) => line.includes('"kind":"mismatch"')).length
  }
  /** The invariants that hold after every step, checked on the stores as they are now. */
  const check = async (step: string, extra: () => Promise<Violation[]> = async () => []) => {
    const returned = (await writers?.returned()) ?? []
    const phase = (await db.reader.phase())?.phase ?? 'json-only'
    const found: Violation[] = []
    // The legacy file parses after every step, the source of truth or not.
    let file: StoreContent | null = null
    try {
      file = await readLegacyFile(jsonFile)
    } catch (error) {
      found.push({ invariant: 'the legacy file parses', detail: (error as Error).message })
    }
    if (phase === 'db-primary' || phase === 'cleaned') {
      const content = await db.reader.content()
      found.push(
        ...lostOrDoubled(returned, content, 'the database'),
        ...aggregatesMatchRecords(content, 'the database'),
      )
    } else if (file !== null)
      found.push(
        ...lostOrDoubled(returned, file, 'the legacy file'),
        ...aggregatesMatchRecords(file, 'the legacy file'),
      )
    await collectRefusals()
    found.push(...refusalViolations.splice(0))
    found.push(...(await extra()))
    if (writers !== undefined)
      found.push(
        ...writers.errors
          .splice(0)
          .map((detail) => ({ invariant: 'no writer gets an error', detail })),
      )
    for (const violation of found) violations.push({ step, ...violation })
    return found.length
  }
  const runStep = async (
    step: string,
    work: () => Promise<string | undefined>,
    extra?: () => Promise<Violation[]>,
  ) => {
    const stepStarted = performance.now()
    let result: string
    let failed = false
    try {
      result = (await work()) ?? 'ok'
    } catch (error) {
      failed = true
      result = `FAILED: ${(error as Error).message}`
      violations.push({ step, invariant: 'every step succeeds', detail: (error as Error).message })
    }
    const found = await check(step, extra)
    const longestWriteMs = (await writers?.takeLongestWriteMs()) ?? null
    steps.push({
      step,
      seconds: (performance.now() - stepStarted) / 1000,
      json: (await readLegacyFile(jsonFile).catch(() => null))?.invocations.length ?? null,
      db: await db.reader.count(),
      mismatches: await mismatches(),
      longestWriteSeconds: longestWriteMs === null ? null : longestWriteMs / 1000,
      result: found > 0 && !failed ? `${found} violation(s)` : result,
    })
    // The first violated step ends the run: what follows would build on a broken state.
    if (failed || found > 0) throw new StepFailed(result)
  }
  const historyInDatabase = async () => {
    const file = await readLegacyFile(jsonFile)
    return file === null
      ? []
      : sameInvocations(file, await db.reader.content(), options.invocations)
  }
  const breakBackfill = async () => {
    if (options.break !== 'skip-backfill-record') return
    // As a backfill that never copies the file's first record would leave it.
    const { dialect } = options
    if (dialect === 'sqlite') {
      const { default: Sqlite } = await import('better-sqlite3')
      const handle = new Sqlite(db.url.slice('sqlite:'.length), { timeout: 30_000 })
      handle.prepare('DELETE FROM skill_invocation WHERE seq = 0').run()
      handle.close()
    } else {
      const url = new URL(db.url)
      const client = new pg.Client({ connectionString: db.url.split('?')[0] })
      await client.connect()
      await client.query(
        `DELETE FROM "${url.searchParams.get('schema')}".skill_invocation WHERE seq = 0`,
      )
      await client.end()
    }
  }
  const backfill = async (label: string, chaos: boolean) =>
    runStep(
      label,
      async () => {
        const result = await run(['data', 'migrate'], chaos ? 4_000 : undefined)
        await breakBackfill()
        return result
      },
      historyInDatabase,
    )
  /** Validation, then the guard to dual-read; a miss recorded under load sends it round again. */
  const toDualRead = async (label: string) => {
    for (let attempt = 1; ; attempt += 1) {
      const validated = await cli(['data', 'validate'])
      const moved = validated.exitCode === 0 ? await cli(['phase', 'dual-read']) : validated
      if (moved.exitCode === 0) return attempt === 1 ? undefined : `ok after ${attempt} rounds`
      if (attempt >= 3)
        throw new StepFailed(
          `${label}: still refused after ${attempt} rounds: ${String(moved.stdout || moved.stderr)
            .trim()
            .slice(0, 400)}`,
        )
      await expectOk(['data', 'migrate'])
      await breakBackfill()
    }
  }
  // With --disk-full the file is generated beside the folder, measured, then copied onto the
  // tmpfs sized for it.
  const generated = diskFull === undefined ? jsonFile : join(dir, 'generated.json')
  try {
    await runStep('generate', async () => {
      await execa('node', [
        cliBin,
        'generate',
        generated,
        '--invocations',
        String(options.invocations),
      ])
      return undefined
    })
    if (diskFull !== undefined)
      await runStep('mount tmpfs', async () => {
        const { size: legacyBytes, mode } = await stat(generated)
        const bytes = tmpfsBytesFor(legacyBytes, options.dialect)
        const mounted = await Tmpfs.mount(stateDir, bytes)
        if (!(mounted instanceof Tmpfs)) {
          if (underCi()) throw new StepFailed(`${mounted.reason} (CI must run --disk-full)`)
          diskFull.skipped = mounted.reason
          process.stderr.write(`smoke: --disk-full skipped: ${mounted.reason}\n`)
          await rename(generated, jsonFile)
          return `skipped: ${mounted.reason}`
        }
        disk.tmpfs = mounted
        await copyFile(generated, jsonFile)
        await chmod(jsonFile, mode & 0o777)
        await rm(generated)
        Object.assign(diskFull, { tmpfsBytes: bytes, legacyBytes })
        return `${mib(bytes)} tmpfs for a ${mib(legacyBytes)} legacy file`
      })
    await runStep('schema migrate', () => run(['schema', 'migrate']))
    await runStep('phase dual-write', () => run(['phase', 'dual-write']))
    writers = new Writers(dir, jsonFile, db.url, options.writers)
    await runStep('writers start', async () => {
      await sleep(1_000)
      return `${options.writers} writers`
    })
    if (options.chaos)
      await runStep('database unavailable', async () => {
        await db.reader.holdLocked(3_000)
        return 'locked for 3 s during dual-write'
      })
    const { tmpfs } = disk
    if (diskFull !== undefined && tmpfs !== undefined) {
      let held: Awaited<ReturnType<typeof holdDiskFull>> | undefined
      await runStep(
        'disk full',
        async () => {
          const missLog = `${jsonFile}.dual-write-misses.jsonl`
          const missesBefore = await lineCount(missLog)
          disk.full = { from: Date.now() }
          held = await holdDiskFull(tmpfs, jsonFile, disk.full)
          await collectRefusals()
          Object.assign(diskFull, {
            fullSeconds: (disk.full.to! - disk.full.from) / 1000,
            fillerBytes: held.filler.largest,
            mostFreeBytes: held.mostFreeBytes,
            missesRecorded: (await lineCount(missLog)) - missesBefore,
          })
          return `full for ${diskFull.fullSeconds!.toFixed(1)} s (${mib(held.filler.largest)} filler, at most ${kib(held.mostFreeBytes)} free): ${refusedWhileFull.length} writes refused with exit 4, ${diskFull.missesRecorded} database misses recorded`
        },
        async () => [
          ...(held?.violations ?? []),
          ...(refusedWhileFull.length > 0
            ? []
            : [
                {
                  invariant: 'the full disk refused at least one write',
                  detail: `no write was refused with exit 4 in ${FULL_MS / 1000} s of a full disk: the fault was not exercised`,
                },
              ]),
        ],
      )
    }
    await backfill('data migrate', options.chaos)
    await backfill('data migrate (again)', false)
    await runStep('data validate, phase dual-read', () => toDualRead('dual-read'))
    const cutover = ['cutover', '--freeze-timeout', String(options['freeze-timeout'])]
    await runStep('cutover', () => run(cutover, options.chaos ? 3_000 : undefined))
    const atCutover = await db.reader.count()
    const more = Math.max(50, options.writers * 10)
    await runStep('more writes', async () => {
      const deadline = Date.now() + 180_000
      while ((await db.reader.count()) < atCutover + more) {
        if (Date.now() > deadline)
          throw new StepFailed(`fewer than ${more} writes in 180 s after cutover`)
        await sleep(100)
      }
      return `${more} more`
    })
    await runStep('rollback', () => run(['rollback']))
    await backfill('data migrate (after rollback)', false)
    await runStep('data validate, phase dual-read (again)', () => toDualRead('dual-read again'))
    await runStep('writers stop', async () => {
      await writers!.stop()
      return `${(await writers!.returned()).length} invocations returned to their writers`
    })
    await runStep(
      'cutover (again)',
      () => run(cutover),
      async () => sameInvocations((await readLegacyFile(jsonFile))!, await db.reader.content()),
    )
    await runStep(
      'cleanup --force',
      () => run(['cleanup', '--force', '--reason', 'smoke test']),
      () => archiveVerified(jsonFile),
    )
  } catch (error) {
    if (!(error instanceof StepFailed)) {
      violations.push({
        step: 'harness',
        invariant: 'the harness runs',
        detail: (error as Error).stack ?? String(error),
      })
    }
  } finally {
    await writers?.stop()
    await db.drop().catch(() => {})
    if (disk.tmpfs !== undefined) {
      await rm(join(stateDir, 'smoke-disk-full.filler'), { force: true })
      // A failed run keeps its files for a look: those on the tmpfs are copied off it first.
      const kept = `${stateDir}.kept`
      if (violations.length > 0) await cp(stateDir, kept, { recursive: true })
      const failed = await disk.tmpfs.unmount()
      if (failed !== undefined)
        violations.push({
          step: 'harness',
          invariant: 'the harness unmounts its tmpfs',
          detail: failed,
        })
      else if (violations.length > 0) {
        await rm(stateDir, { recursive: true, force: true })
        await rename(kept, stateDir)
      }
    }
    if (violations.length === 0) await rm(dir, { recursive: true, force: true })
  }
  if (diskFull !== undefined && diskFull.skipped === undefined) {
    diskFull.refused = refusedWhileFull.length
    diskFull.firstRefusal = refusedWhileFull[0]?.detail.slice(0, 400)
  }
  const { json: _json, ...shown } = options
  return {
    ok: violations.length === 0,
    options: shown,
    seconds: (performance.now() - started) / 1000,
    steps,
    violations,
    ...(diskFull === undefined ? {} : { diskFull }),
  }
}

const mib = (bytes: number) => `${(bytes / (1 << 20)).toFixed(1)} MiB`
const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`

/** The lines of a log; a missing log has none. */
async function lineCount(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '')
  return text.split('\n').filter(Boolean).length
}

/** The archive cleanup left, checked with nothing but zlib and sha256 against its manifest. */
async function archiveVerified(jsonFile: string): Promise<Violation[]> {
  const folder = join(jsonFile, '..')
  const name = (await readdir(folder)).find((file) => file.endsWith('.json.gz'))
  const invariant = 'the archive is present and matches its manifest'
  if (name === undefined) return [{ invariant, detail: `no *.json.gz archive in ${folder}` }]
  const archive = await readFile(join(folder, name))
  const manifest = await readFile(join(folder, `${name}.sha256`), 'utf8').catch(() => '')
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
  const expected = [sha256(gunzipSync(archive)), sha256(archive)]
  const listed = manifest
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(/\s+/)[0])
  return expected.every((hash) => listed.includes(hash))
    ? []
    : [
        {
          invariant,
          detail: `${name}: the manifest lists ${listed.join(', ') || 'nothing'}, the bytes hash to ${expected.join(', ')}`,
        },
      ]
}
