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
import { ForeignWriter } from './foreign-writer.js'
import { sameInvocations, type Violation } from './invariants.js'
import { type SmokeRun, StepFailed } from './smoke-run.js'
import { logLines } from './stores.js'
import { cliBin, pythonWritersMissing, Writers } from './writers.js'

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
  const python = options['python-writers']
  const pythonMissing = python > 0 ? await pythonWritersMissing() : undefined
  if (pythonMissing === undefined)
    run.writers = new Writers(dir, jsonFile, db.url, options.writers, python)
  await run.runStep('writers start', async () => {
    if (pythonMissing !== undefined) throw new StepFailed(pythonMissing)
    await sleep(1_000)
    // Loaded while our writers run: it also keeps, and saves back, records they left pending.
    if (options['foreign-writer']) {
      try {
        run.foreign = await ForeignWriter.start(dir, jsonFile)
      } catch (error) {
        throw new StepFailed((error as Error).message)
      }
    }
    return `${options.writers} writers${python > 0 ? ` (${python} Python)` : ''}${run.foreign === undefined ? '' : ' and a foreign writer'}`
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
  await run.runStep(
    'data validate, phase dual-read',
    () => toDualRead(run, 'dual-read'),
    undefined,
    {
      foreignWriterPaused: 'during',
    },
  )
}

/**
 * With a foreign writer, the cutover's guard wants a clean validation newer than its last save:
 * it is paused from this `data migrate` (which puts back what it erased) until the cutover
 * returned, as a person migrating would move it aside.
 */
export async function beforeCutover(run: SmokeRun, again: string): Promise<void> {
  if (run.foreign === undefined) return
  await backfill(run, `data migrate (before cutover${again})`, false, 'from')
  await run.runStep(
    `data validate (before cutover${again})`,
    () => validated(run, `before cutover${again}`),
    undefined,
    { foreignWriterPaused: 'during' },
  )
}

export async function cutover(run: SmokeRun): Promise<void> {
  const killWithinMs = run.options.chaos ? 3_000 : undefined
  await run.runStep(
    'cutover',
    () => run.runWithChaos(cutoverArgs(run), killWithinMs, noteFreeze(run)),
    undefined,
    { foreignWriterPaused: 'until' },
  )
}

/**
 * Writes that only the database holds, so the rollback must bring them back to the file; with a
 * foreign writer, saves of its own that only the file holds, for the rollback to import.
 */
export async function moreWrites(run: SmokeRun): Promise<void> {
  const { db, foreign } = run
  const atCutover = await db.reader.count()
  const foreignAtCutover = (await foreign?.saved())?.length ?? 0
  const more = Math.max(50, run.options.writers * 10)
  await run.runStep('more writes', async () => {
    const deadline = Date.now() + 180_000
    while ((await db.reader.count()) < atCutover + more) {
      if (Date.now() > deadline)
        throw new StepFailed(`fewer than ${more} writes in 180 s after cutover`)
      await sleep(100)
    }
    await foreign?.waitForSaves(foreignAtCutover + FOREIGN_SAVES_AFTER_CUTOVER, 60_000)
    return `${more} more${foreign === undefined ? '' : `, ${FOREIGN_SAVES_AFTER_CUTOVER}+ foreign saves`}`
  })
}

/** Saves of the foreign writer after each cutover: what `rollback` and the last `data migrate` import. */
const FOREIGN_SAVES_AFTER_CUTOVER = 3

/**
 * The foreign writer keeps saving through the rollback: each save that lands before the
 * regenerated file replaces the old one is imported and the file regenerated again. Should it
 * win every time, the rollback is refused (FOREIGN_WRITER_BUSY) and a person would pause the
 * writer and run it again: so does the smoke, and says so in the step's row.
 */
export async function rollback(run: SmokeRun): Promise<void> {
  await run.runStep('rollback', async () => {
    if (run.foreign === undefined) return run.runWithChaos(['rollback'])
    const first = await run.cli(['rollback', '--json'])
    if (first.exitCode === 0) return undefined
    const code = (() => {
      try {
        return JSON.parse(String(first.stdout)).error?.code
      } catch {
        return undefined
      }
    })()
    if (code !== 'FOREIGN_WRITER_BUSY')
      throw new StepFailed(`skill-metrics rollback exited ${first.exitCode}: ${first.stdout}`)
    await run.foreign.pause()
    try {
      await run.expectOk(['rollback'])
    } finally {
      await run.foreign.resume()
    }
    return 'refused while the foreign writer saved (FOREIGN_WRITER_BUSY), ok with it paused'
  })
}

export const dataMigrateAfterRollback = (run: SmokeRun) =>
  backfill(run, 'data migrate (after rollback)', false)

export async function dataValidatePhaseDualReadAgain(run: SmokeRun): Promise<void> {
  await run.runStep(
    'data validate, phase dual-read (again)',
    () => toDualRead(run, 'dual-read again'),
    undefined,
    { foreignWriterPaused: 'during' },
  )
}

export async function writersStop(run: SmokeRun): Promise<void> {
  const writers = run.writers!
  await run.runStep('writers stop', async () => {
    await writers.stop()
    const python =
      writers.pythonCount === 0
        ? ''
        : `, ${(await writers.pythonReturned()).length} Python completions`
    return `${(await writers.returned()).length} invocations returned to their writers${python}`
  })
}

/**
 * With Python writers, once they all stopped: what their completers left waiting in the
 * group-commit journal applied (with chaos, a first run killed with `kill -9` at a random point,
 * then `status` and a rerun). From here on every tag whose completer returned is in the source
 * of truth exactly once, as any other writer's.
 */
export async function journalApply(run: SmokeRun): Promise<void> {
  const writers = run.writers
  if (writers === undefined || writers.pythonCount === 0) return
  let applied = 0
  await run.runStep('journal apply', async () => {
    const chaos = await run.runWithChaos(
      ['journal', 'apply', '--json'],
      run.options.chaos ? 2_000 : undefined,
      (stdout) => {
        applied = (JSON.parse(stdout) as { applied: unknown[] }).applied.length
      },
    )
    writers.pythonSettled = true
    return `${applied} change(s) applied${chaos === undefined ? '' : ` (${chaos})`}; ${(await writers.pythonReturned()).length} Python completions returned`
  })
}

/** With the writers stopped (and a foreign writer paused), the database holds exactly the file's invocations. */
export async function cutoverAgain(run: SmokeRun): Promise<void> {
  await run.runStep(
    'cutover (again)',
    () => run.runWithChaos(cutoverArgs(run), undefined, noteFreeze(run)),
    async () => sameInvocations((await run.legacyFile())!, await run.db.reader.content()),
    { foreignWriterPaused: 'until' },
  )
}

/**
 * The foreign writer saves a few times into the file after the last cutover, then stops. Those
 * saves are not in the database yet: `health` fails and `cleanup` refuses until they are.
 */
export async function foreignWriterStop(run: SmokeRun): Promise<void> {
  const foreign = run.foreign
  if (foreign === undefined) return
  await run.runStep(
    'foreign writer stop',
    async () => {
      const atCutover = (await foreign.saved()).length
      await foreign.waitForSaves(atCutover + FOREIGN_SAVES_AFTER_CUTOVER, 60_000)
      const failed = await foreign.stop()
      if (failed !== undefined) throw new StepFailed(failed)
      const { saves, pausedSeconds } = foreign.summary()
      return `${saves} saves (${saves - atCutover} after the cutover), paused ${pausedSeconds.toFixed(1)} s in all`
    },
    async () => [
      ...(await expectExit(
        run,
        ['health'],
        4,
        'health fails while a foreign write is not imported',
      )),
      ...(await expectRefused(
        run,
        ['cleanup', '--force', '--reason', 'smoke test'],
        'cleanup refuses while the file holds changes not imported',
      )),
    ],
  )
}

/** The foreign writer's last saves, imported into the database (the truth since the cutover). */
export async function dataMigrateForeignSaves(run: SmokeRun): Promise<void> {
  if (run.foreign === undefined) return
  await backfill(run, "data migrate (the foreign writer's last saves)", false, undefined, () =>
    expectExit(run, ['health'], 0, 'health passes once the foreign writes are imported'),
  )
}

export async function cleanupForce(run: SmokeRun): Promise<void> {
  await run.runStep(
    'cleanup --force',
    () => run.runWithChaos(['cleanup', '--force', '--reason', 'smoke test']),
    async () => [...(await archiveVerified(run.jsonFile)), ...(await run.foreignSavesInTruth())],
  )
}

/** `skill-metrics …args` exits `code`, or the invariant is broken (with what it printed). */
async function expectExit(
  run: SmokeRun,
  args: string[],
  code: number,
  invariant: string,
): Promise<Violation[]> {
  const ran = await run.cli(args)
  return ran.exitCode === code
    ? []
    : [
        {
          invariant,
          detail: `skill-metrics ${args.join(' ')} exited ${ran.exitCode}, not ${code}: ${output(ran)}`,
        },
      ]
}

/** `skill-metrics …args` is refused: it exits non-zero and the phase and the file stay as they were. */
async function expectRefused(
  run: SmokeRun,
  args: string[],
  invariant: string,
): Promise<Violation[]> {
  const phaseBefore = (await run.db.reader.phase())?.phase
  const ran = await run.cli(args)
  const phaseAfter = (await run.db.reader.phase())?.phase
  const fileKept = (await run.legacyFile()) !== null
  return ran.exitCode !== 0 && phaseAfter === phaseBefore && fileKept
    ? []
    : [
        {
          invariant,
          detail: `skill-metrics ${args.join(' ')} exited ${ran.exitCode} (phase ${phaseBefore} → ${phaseAfter}, legacy file ${fileKept ? 'kept' : 'gone'}): ${output(ran)}`,
        },
      ]
}

/** What a command printed: its failed checks when it names some, else the start of its output. */
function output(ran: { stdout: unknown; stderr: unknown }): string {
  const text = `${String(ran.stdout).trim()}\n${String(ran.stderr).trim()}`.trim()
  const failed = text.split('\n').filter((line) => line.startsWith('FAIL'))
  return (failed.length > 0 ? failed.join('; ') : text).slice(0, 800)
}

const cutoverArgs = ({ options }: SmokeRun) => [
  'cutover',
  '--freeze-timeout',
  String(options['freeze-timeout']),
  '--json',
]

/** Keeps the freeze's length from the cutover's report for the step's row. */
const noteFreeze =
  (run: SmokeRun) =>
  (stdout: string): void =>
    run.noteFreeze((JSON.parse(stdout) as { freeze: { ms: number } | null }).freeze?.ms)

/**
 * `data migrate`, the foreign writer paused from its start until its invariants were checked:
 * it has put back into the file what a foreign save erased (JSON the truth), or imported what a
 * foreign save added (the database the truth), and every foreign save is in the truth.
 */
async function backfill(
  run: SmokeRun,
  label: string,
  chaos: boolean,
  foreignWriterPaused: 'during' | 'from' = 'during',
  moreInvariants: () => Promise<Violation[]> = async () => [],
): Promise<void> {
  await run.runStep(
    label,
    async () => {
      const result = await run.runWithChaos(['data', 'migrate'], chaos ? 4_000 : undefined)
      run.foreign?.restored()
      await breakBackfill(run)
      return result
    },
    async () => [
      ...(await historyInDatabase(run)),
      ...(await run.foreignSavesInTruth()),
      ...(await moreInvariants()),
    ],
    { foreignWriterPaused },
  )
}

/** The file's history, as the backfill must have copied it. */
async function historyInDatabase(run: SmokeRun): Promise<Violation[]> {
  const file = await run.legacyFile()
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
  const refusals: string[] = []
  for (let attempt = 1; ; attempt += 1) {
    const validated = await run.cli(['data', 'validate'])
    const moved = validated.exitCode === 0 ? await run.cli(['phase', 'dual-read']) : validated
    if (moved.exitCode === 0) {
      // Clean with the foreign writer paused: nothing it erased is missing from the file.
      run.foreign?.restored()
      return attempt === 1
        ? undefined
        : `ok after ${attempt} rounds (refused: ${refusals.join(' / ')})`
    }
    refusals.push(
      `${validated === moved ? 'data validate' : 'phase dual-read'} exit ${moved.exitCode}: ${output(moved).slice(0, 160)}`,
    )
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

/** A clean `data validate`; a miss recorded under load sends it round a `data migrate` again. */
async function validated(run: SmokeRun, label: string): Promise<string | undefined> {
  for (let attempt = 1; ; attempt += 1) {
    const validation = await run.cli(['data', 'validate'])
    if (validation.exitCode === 0) return attempt === 1 ? undefined : `ok after ${attempt} rounds`
    if (attempt >= 3)
      throw new StepFailed(
        `data validate ${label}: still not clean after ${attempt} rounds (exit ${validation.exitCode}): ${output(validation)}`,
      )
    await run.expectOk(['data', 'migrate'])
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
