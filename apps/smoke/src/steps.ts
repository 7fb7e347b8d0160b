import { createHash } from 'node:crypto'
import { chmod, copyFile, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { gunzipSync } from 'node:zlib'
import { execa } from 'execa'
import {
  type DiskFullReport,
  FULL_MS,
  holdDiskFull,
  Tmpfs,
  tmpfsBytesFor,
  underCi,
} from './disk-full.js'
import { sameInvocations, type Violation } from './invariants.js'
import { type SmokeRun, StepFailed } from './smoke-run.js'
import { logLines, readLegacyFile } from './stores.js'
import { cliBin, Writers } from './writers.js'

// Each step is named after the label of its row, so a row of the report leads to its code.

export async function generate(run: SmokeRun): Promise<void> {
  await run.runStep('generate', async () => {
    await execa('node', [
      cliBin,
      'generate',
      run.generated,
      '--invocations',
      String(run.options.invocations),
    ])
    return undefined
  })
}

/** The legacy file onto a tmpfs sized for it; without the mount (outside CI) the fault is skipped. */
export async function mountTmpfs(run: SmokeRun, diskFull: DiskFullReport): Promise<void> {
  const { generated, jsonFile } = run
  await run.runStep('mount tmpfs', async () => {
    const { size: legacyBytes, mode } = await stat(generated)
    const bytes = tmpfsBytesFor(legacyBytes, run.options.dialect)
    const mounted = await Tmpfs.mount(run.stateDir, bytes)
    if (!(mounted instanceof Tmpfs)) {
      if (underCi()) throw new StepFailed(`${mounted.reason} (CI must run --disk-full)`)
      diskFull.skipped = mounted.reason
      process.stderr.write(`smoke: --disk-full skipped: ${mounted.reason}\n`)
      await rename(generated, jsonFile)
      return `skipped: ${mounted.reason}`
    }
    run.tmpfs = mounted
    await copyFile(generated, jsonFile)
    await chmod(jsonFile, mode & 0o777)
    await rm(generated)
    Object.assign(diskFull, { tmpfsBytes: bytes, legacyBytes })
    return `${mib(bytes)} tmpfs for a ${mib(legacyBytes)} legacy file`
  })
}

export async function schemaMigrate(run: SmokeRun): Promise<void> {
  await run.runStep('schema migrate', () => run.runWithChaos(['schema', 'migrate']))
}

export async function phaseDualWrite(run: SmokeRun): Promise<void> {
  await run.runStep('phase dual-write', () => run.runWithChaos(['phase', 'dual-write']))
}

export async function writersStart(run: SmokeRun): Promise<void> {
  const { dir, jsonFile, db, options } = run
  run.writers = new Writers(dir, jsonFile, db.url, options.writers)
  await run.runStep('writers start', async () => {
    await sleep(1_000)
    return `${options.writers} writers`
  })
}

export async function databaseUnavailable(run: SmokeRun): Promise<void> {
  await run.runStep('database unavailable', async () => {
    await run.db.reader.holdLocked(3_000)
    return 'locked for 3 s during dual-write'
  })
}

/** The tmpfs held full during dual-write: every write refused (exit 4) or recorded, none torn. */
export async function diskFull(run: SmokeRun, tmpfs: Tmpfs, report: DiskFullReport): Promise<void> {
  const { jsonFile, refusedWhileFull } = run
  let held: Awaited<ReturnType<typeof holdDiskFull>> | undefined
  await run.runStep(
    'disk full',
    async () => {
      const missLog = `${jsonFile}.dual-write-misses.jsonl`
      const missesBefore = (await logLines(missLog)).length
      run.full = { from: Date.now() }
      held = await holdDiskFull(tmpfs, jsonFile, run.full)
      await run.collectRefusals()
      Object.assign(report, {
        fullSeconds: (run.full.to! - run.full.from) / 1000,
        fillerBytes: held.filler.largest,
        mostFreeBytes: held.mostFreeBytes,
        missesRecorded: (await logLines(missLog)).length - missesBefore,
      })
      return `full for ${report.fullSeconds!.toFixed(1)} s (${mib(held.filler.largest)} filler, at most ${kib(held.mostFreeBytes)} free): ${refusedWhileFull.length} writes refused with exit 4, ${report.missesRecorded} database misses recorded`
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

export const dataMigrate = (run: SmokeRun) => backfill(run, 'data migrate', run.options.chaos)

export const dataMigrateAgain = (run: SmokeRun) => backfill(run, 'data migrate (again)', false)

export async function dataValidatePhaseDualRead(run: SmokeRun): Promise<void> {
  await run.runStep('data validate, phase dual-read', () => toDualRead(run, 'dual-read'))
}

export async function cutover(run: SmokeRun): Promise<void> {
  const killWithinMs = run.options.chaos ? 3_000 : undefined
  await run.runStep('cutover', () => run.runWithChaos(cutoverArgs(run), killWithinMs))
}

/** Writes that only the database holds, so the rollback must bring them back to the file. */
export async function moreWrites(run: SmokeRun): Promise<void> {
  const { db } = run
  const atCutover = await db.reader.count()
  const more = Math.max(50, run.options.writers * 10)
  await run.runStep('more writes', async () => {
    const deadline = Date.now() + 180_000
    while ((await db.reader.count()) < atCutover + more) {
      if (Date.now() > deadline)
        throw new StepFailed(`fewer than ${more} writes in 180 s after cutover`)
      await sleep(100)
    }
    return `${more} more`
  })
}

export async function rollback(run: SmokeRun): Promise<void> {
  await run.runStep('rollback', () => run.runWithChaos(['rollback']))
}

export const dataMigrateAfterRollback = (run: SmokeRun) =>
  backfill(run, 'data migrate (after rollback)', false)

export async function dataValidatePhaseDualReadAgain(run: SmokeRun): Promise<void> {
  await run.runStep('data validate, phase dual-read (again)', () =>
    toDualRead(run, 'dual-read again'),
  )
}

export async function writersStop(run: SmokeRun): Promise<void> {
  const writers = run.writers!
  await run.runStep('writers stop', async () => {
    await writers.stop()
    return `${(await writers.returned()).length} invocations returned to their writers`
  })
}

/** With the writers stopped, the database holds exactly the file's invocations. */
export async function cutoverAgain(run: SmokeRun): Promise<void> {
  await run.runStep(
    'cutover (again)',
    () => run.runWithChaos(cutoverArgs(run)),
    async () =>
      sameInvocations((await readLegacyFile(run.jsonFile))!, await run.db.reader.content()),
  )
}

export async function cleanupForce(run: SmokeRun): Promise<void> {
  await run.runStep(
    'cleanup --force',
    () => run.runWithChaos(['cleanup', '--force', '--reason', 'smoke test']),
    () => archiveVerified(run.jsonFile),
  )
}

const cutoverArgs = ({ options }: SmokeRun) => [
  'cutover',
  '--freeze-timeout',
  String(options['freeze-timeout']),
]

async function backfill(run: SmokeRun, label: string, chaos: boolean): Promise<void> {
  await run.runStep(
    label,
    async () => {
      const result = await run.runWithChaos(['data', 'migrate'], chaos ? 4_000 : undefined)
      await breakBackfill(run)
      return result
    },
    () => historyInDatabase(run),
  )
}

/** The file's history, as the backfill must have copied it. */
async function historyInDatabase(run: SmokeRun): Promise<Violation[]> {
  const file = await readLegacyFile(run.jsonFile)
  return file === null
    ? []
    : sameInvocations(file, await run.db.reader.content(), run.options.invocations)
}

/** With `--break skip-backfill-record`: the fault the harness's own test expects it to find. */
async function breakBackfill(run: SmokeRun): Promise<void> {
  if (run.options.break === 'skip-backfill-record') await run.db.deleteFirstRecord()
}

/** Validation, then the guard to dual-read; a miss recorded under load sends it round again. */
async function toDualRead(run: SmokeRun, label: string): Promise<string | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    const validated = await run.cli(['data', 'validate'])
    const moved = validated.exitCode === 0 ? await run.cli(['phase', 'dual-read']) : validated
    if (moved.exitCode === 0) return attempt === 1 ? undefined : `ok after ${attempt} rounds`
    if (attempt >= 3)
      throw new StepFailed(
        `${label}: still refused after ${attempt} rounds: ${String(moved.stdout || moved.stderr)
          .trim()
          .slice(0, 400)}`,
      )
    await run.expectOk(['data', 'migrate'])
    await breakBackfill(run)
  }
}

const mib = (bytes: number) => `${(bytes / (1 << 20)).toFixed(1)} MiB`
const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`

/** The archive cleanup left, checked with nothing but zlib and sha256 against its manifest. */
async function archiveVerified(jsonFile: string): Promise<Violation[]> {
  const folder = join(jsonFile, '..')
  const name = (await readdir(folder)).find((file) => file.endsWith('.json.gz'))
  const invariant = 'the archive is present and matches its manifest'
  if (name === undefined) return [{ invariant, detail: `no *.json.gz archive in ${folder}` }]
  const archive = await readFile(join(folder, name))
  const manifest = await readFile(join(folder, `${name}.sha256`), 'utf8').catch(() => '')
  const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
  const [outer, inner] = [sha256(archive), sha256(gunzipSync(archive))]
  // `sha256sum -c` checks the archive's line; the legacy file inside is a `#` comment's sum.
  const lines = manifest.split('\n')
  return lines.includes(`${outer}  ${name}`) &&
    lines.some((line) => line.startsWith(`# ${inner}  `))
    ? []
    : [
        {
          invariant,
          detail: `${name}: the manifest reads ${JSON.stringify(manifest)}; the archive hashes to ${outer}, the file inside to ${inner}`,
        },
      ]
}
