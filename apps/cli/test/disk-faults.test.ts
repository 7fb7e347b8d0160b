import { createHash } from 'node:crypto'
import { chmod, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { writeFaultInjector } from '@skill-metrics/testing/child-processes'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFixture, makeTempDir, removeDir, runCli } from './support.js'

// Every file the tool replaces or creates goes through one durable write. Here a write to each of
// them, in a real CLI process, fails the way a filling disk makes it fail (half written, then
// ENOSPC): the command exits 4 naming the file, and the file — and the legacy file — are byte for
// byte what they were, with no temporary copy left. The walk then runs the same step without the
// fault, so every phase is crossed once.

let dir: string
let jsonFile: string
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/** Every file of the folder with the sha256 of its bytes (the database aside: it is not ours to write). */
async function snapshot(): Promise<Map<string, string>> {
  const files = new Map<string, string>()
  for (const name of (await readdir(dir)).sort()) {
    if (name.startsWith('m.db')) continue
    const path = join(dir, name)
    if ((await stat(path)).isFile()) files.set(name, sha256(await readFile(path)))
  }
  return files
}

const cli = (args: string[], env: Record<string, string> = {}) =>
  runCli([...args, '--json-file', jsonFile, '--db', `sqlite:${join(dir, 'm.db')}`], {
    cwd: dir,
    env,
  })

/**
 * Runs `args` with writes to files matching `target` failing; expects exit 4 and nothing changed
 * but the files named in `moved`.
 */
async function expectRefusedUnchanged(
  target: string,
  args: string[],
  named: RegExp,
  moved: string[] = [],
) {
  const before = await snapshot()
  const run = await cli(args, {
    NODE_OPTIONS: `--import ${writeFaultInjector}`,
    SKILL_METRICS_WRITE_FAULT: JSON.stringify({ path: target, fault: 'short' }),
  })
  expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(4)
  expect(run.stderr).toMatch(
    /no space left on .* \(ENOSPC\) writing .*: (more than )?\d+ bytes needed/,
  )
  expect(run.stderr).toMatch(named)
  const after = await snapshot()
  for (const name of moved) {
    expect(after.get(name)).toBeDefined()
    after.set(name, before.get(name)!)
  }
  expect(after).toEqual(before)
}

async function expectOk(args: string[]) {
  const run = await cli(args)
  expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(0)
  return run
}

beforeAll(async () => {
  dir = await makeTempDir('sm-disk-faults-')
  jsonFile = await copyFixture('small', dir)
  await chmod(jsonFile, 0o600)
})
afterAll(async () => {
  await removeDir(dir)
})

describe('a short write on every durable write path leaves the original bytes (exit 4)', () => {
  it('json-only: the legacy file and its writer state, generate and export', async () => {
    await expectRefusedUnchanged('small\\.json$', ['track', 'review'], /writing \S+small\.json:/)
    await expectRefusedUnchanged('writer-state\\.json$', ['track', 'review'], /writer-state\.json/)
    await expectOk(['track', 'review'])

    await writeFile(join(dir, 'generated.json'), 'old bytes', { mode: 0o600 })
    await expectRefusedUnchanged(
      'generated\\.json$',
      ['generate', join(dir, 'generated.json'), '--invocations', '500', '--force'],
      /generated\.json/,
    )
    await writeFile(join(dir, 'export.json'), 'old bytes', { mode: 0o600 })
    await expectRefusedUnchanged(
      'export\\.json$',
      ['export', join(dir, 'export.json')],
      /export\.json/,
    )
    await expectOk(['export', join(dir, 'export.json')])
  })

  it('dual-write and validation: the phase copy and the validation report', async () => {
    await expectOk(['schema', 'migrate'])
    await expectRefusedUnchanged(
      'phase\\.json$',
      ['phase', 'dual-write'],
      /small\.json\.phase\.json/,
    )
    expect(JSON.parse((await expectOk(['status', '--json'])).stdout)).toMatchObject({
      phase: 'json-only',
    })
    await expectOk(['phase', 'dual-write'])
    await expectOk(['track', 'review'])
    await expectOk(['data', 'migrate'])
    await writeFile(join(dir, 'report.json'), 'old bytes', { mode: 0o600 })
    await expectRefusedUnchanged(
      'report\\.json$',
      ['data', 'validate', '--report', join(dir, 'report.json')],
      /report\.json/,
    )
    await expectOk(['data', 'validate', '--report', join(dir, 'report.json')])
    await expectOk(['phase', 'dual-read'])
  })

  it('cutover: the backup and its manifest; then the export from the database', async () => {
    await expectRefusedUnchanged('backup-[^.]*$', ['cutover'], /small\.json\.backup-/)
    await expectRefusedUnchanged('backup-.*\\.sha256$', ['cutover'], /\.sha256/)
    expect(JSON.parse((await expectOk(['status', '--json'])).stdout)).toMatchObject({
      phase: 'dual-read',
    })
    await expectOk(['cutover'])
    await expectRefusedUnchanged(
      'export\\.json$',
      ['export', join(dir, 'export.json'), '--source', 'db'],
      /export\.json/,
    )
  })

  it('rollback: the regenerated legacy file; cleanup: the archive and its manifest', async () => {
    await expectOk(['track', 'after-cutover'])
    // The rollback fenced the database's epoch before regenerating the file; the phase copy
    // follows the database, which still holds the truth (db-primary).
    await expectRefusedUnchanged('small\\.json$', ['rollback'], /writing \S+small\.json:/, [
      'small.json.phase.json',
    ])
    expect(JSON.parse((await expectOk(['status', '--json'])).stdout)).toMatchObject({
      phase: 'db-primary',
    })
    const health = await expectOk(['health'])
    expect(health.stdout).toContain('ok   phase and epoch consistent')
    await expectOk(['rollback'])
    for (const step of [
      ['data', 'migrate'],
      ['data', 'validate'],
      ['phase', 'dual-read'],
      ['cutover'],
    ])
      await expectOk(step)
    const cleanup = ['cleanup', '--force', '--reason', 'disk-fault test']
    await expectRefusedUnchanged('archive-.*\\.gz$', cleanup, /small\.json\.archive-/)
    await expectRefusedUnchanged('archive-.*\\.sha256$', cleanup, /\.sha256/)
    await expectOk(cleanup)
  })

  it("every file the tool created has the legacy file's mode (0600)", async () => {
    const modes = new Map<string, string>()
    for (const name of await readdir(dir)) {
      const mode = (await stat(join(dir, name))).mode & 0o777
      modes.set(name, mode.toString(8))
    }
    expect([...modes.keys()].filter((name) => name.includes('.archive-'))).toHaveLength(2)
    expect([...modes.keys()].filter((name) => name.includes('.backup-')).length).toBeGreaterThan(1)
    expect(Object.fromEntries([...modes].filter(([, mode]) => mode !== '600'))).toEqual({})
  })
})
