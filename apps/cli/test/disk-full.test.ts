import { createHash } from 'node:crypto'
import { copyFile, readdir, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { fillDisk, tmpfsForTest } from '@skill-metrics/testing/tmpfs'
import { describe, expect, it } from 'vitest'
import { fixturePath, makeTempDir, removeDir, runCommand } from './support.js'

// The lifecycle on a real file system that fills (a small tmpfs, as a full disk in the field):
// each step that writes meets a full disk once, must exit 4 naming the cause and leave the legacy
// file byte for byte, and passes once the filler is removed.
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

function lifecycle(jsonFile: string, database: string, cwd: string) {
  const cli = (...args: string[]) =>
    runCommand([...args, '--json-file', jsonFile, '--db', database], { cwd })
  const ok = async (...args: string[]) => {
    const run = await cli(...args)
    expect(run.exitCode, `${args.join(' ')}: ${run.stderr}`).toBe(0)
    return run
  }
  const phase = async () => JSON.parse((await ok('status', '--json')).stdout).phase as string
  return { cli, ok, phase }
}

describe('a full disk under the legacy file and the SQLite database', () => {
  it('track, data migrate, cutover, rollback and cleanup exit 4 and change nothing; each passes once there is room', async (context) => {
    const tmpfs = await tmpfsForTest(8 << 20, context)
    const jsonFile = join(tmpfs.dir, 'skill_metrics.json')
    await copyFile(fixturePath('medium'), jsonFile)
    const { cli, ok, phase } = lifecycle(jsonFile, `sqlite:${join(tmpfs.dir, 'm.db')}`, tmpfs.dir)
    const legacySize = (await readFile(jsonFile)).length

    /** Runs `args` on a disk with `leave` bytes free (less than a legacy file); expects exit 4, nothing changed. */
    const onFullDisk = async (
      args: string[],
      cause: RegExp,
      leave = Math.floor(legacySize / 4),
    ) => {
      const before = sha256(await readFile(jsonFile))
      const names = await readdir(tmpfs.dir)
      const filler = await fillDisk(tmpfs.dir, leave)
      const run = await cli(...args)
      await rm(filler)
      expect(run.exitCode, `${args.join(' ')}: ${run.stdout}${run.stderr}`).toBe(4)
      expect(run.stderr).toMatch(cause)
      expect(sha256(await readFile(jsonFile))).toBe(before)
      // No temporary copy, half backup or half archive is left behind.
      const left = (await readdir(tmpfs.dir)).filter((name) => !names.includes(name))
      expect(left.filter((name) => !name.startsWith('m.db'))).toEqual([])
    }
    const noSpace = /no space left (on|for the database)/

    await onFullDisk(
      ['track', 'review'],
      /no space left on .* writing .*skill_metrics\.json: \d+ bytes needed/,
    )
    await ok('track', 'review')
    await ok('schema', 'migrate')
    await ok('phase', 'dual-write')

    await onFullDisk(['data', 'migrate'], /no space left for the database sqlite:/)
    await ok('data', 'migrate')
    await ok('data', 'validate')
    await ok('phase', 'dual-read')

    // The free-space guard refuses first; past it (forced), the backup meets the full disk.
    await onFullDisk(['cutover'], /free space|no space left/)
    await onFullDisk(['cutover', '--force', '--reason', 'full-disk test'], noSpace)
    expect(await phase()).toBe('dual-read')
    await ok('cutover')
    await ok('track', 'after-cutover')

    await onFullDisk(['rollback', '--force', '--reason', 'full-disk test'], noSpace)
    expect(await phase()).toBe('db-primary')
    await ok('rollback')
    expect((await readFile(jsonFile, 'utf8')).match(/"after-cutover"/g)?.length).toBeGreaterThan(0)
    for (const step of [['data', 'validate'], ['phase', 'dual-read'], ['cutover']])
      await ok(...step)

    const cleanup = ['cleanup', '--force', '--reason', 'full-disk test']
    // The archive is compressed (80 kB): room for the database's few pages but not for it.
    await onFullDisk(cleanup, /no space left on .* writing .*\.archive-/, 40 * 1024)
    expect(await phase()).toBe('db-primary')
    await ok(...cleanup)
    expect(await phase()).toBe('cleaned')
  })
})

describe('a full disk under the database alone, in dual-write', () => {
  it('writers go on: each database write is missed and recorded, never the file', async (context) => {
    const tmpfs = await tmpfsForTest(2 << 20, context)
    const dir = await makeTempDir('sm-disk-full-')
    try {
      const jsonFile = join(dir, 'skill_metrics.json')
      await copyFile(fixturePath('small'), jsonFile)
      const { ok } = lifecycle(jsonFile, `sqlite:${join(tmpfs.dir, 'm.db')}`, dir)
      await ok('schema', 'migrate')
      await ok('phase', 'dual-write')
      await ok('data', 'migrate')
      const filler = await fillDisk(tmpfs.dir)
      for (let write = 0; write < 3; write += 1)
        await ok('track', 'on-full-disk', '--duration', '1')
      const status = JSON.parse((await ok('status', '--json')).stdout)
      expect(status.dualWriteMisses).toBeGreaterThanOrEqual(3)
      expect((await readFile(jsonFile, 'utf8')).match(/"on-full-disk"/g)?.length).toBeGreaterThan(2)
      await rm(filler)
      await ok('data', 'migrate')
      await ok('data', 'validate')
    } finally {
      await removeDir(dir)
    }
  })
})
