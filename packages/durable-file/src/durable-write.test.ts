import { chmod, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BadInputError, ExitCode, RefusedError, WriteFailedError } from '@skill-metrics/core'
import { installWriteFault } from '@skill-metrics/testing/inject-write-faults'
import { fillDisk, tmpfsForTest } from '@skill-metrics/testing/tmpfs'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  appendDurably,
  createFileIfMissing,
  fingerprintOf,
  modeForFilesBeside,
  writeFileDurably,
} from './index.js'

let dir: string
const ORIGINAL = Buffer.from('{"invocations": [], "skills": {}}')
const PAYLOAD = Buffer.from('x'.repeat(100_000))
const modeOf = async (path: string) => (await stat(path)).mode & 0o777

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'durable-write-'))
})

describe('writeFileDurably', () => {
  it('replaces a file whole and returns the fingerprint of what it wrote', async () => {
    const path = join(dir, 'file.json')
    await writeFile(path, ORIGINAL)
    expect(await writeFileDurably(path, PAYLOAD)).toEqual(fingerprintOf(PAYLOAD))
    expect(await readFile(path)).toEqual(PAYLOAD)
    expect(await readdir(dir)).toEqual(['file.json'])
  })

  it('streams pieces from an async iterable', async () => {
    const path = join(dir, 'file.json')
    async function* pieces() {
      yield 'a'.repeat(10)
      yield Buffer.from('b'.repeat(20))
    }
    expect((await writeFileDurably(path, pieces())).size).toBe(30)
    expect(await readFile(path, 'utf8')).toBe(`${'a'.repeat(10)}${'b'.repeat(20)}`)
  })

  it('gives a new file the mode asked for, whatever the umask, and keeps an existing mode', async () => {
    const fresh = join(dir, 'fresh')
    await writeFileDurably(fresh, 'x', { mode: 0o640 })
    expect(await modeOf(fresh)).toBe(0o640)
    const defaulted = join(dir, 'defaulted')
    await writeFileDurably(defaulted, 'x')
    expect(await modeOf(defaulted)).toBe(0o600)
    const existing = join(dir, 'existing')
    await writeFile(existing, 'old')
    await chmod(existing, 0o604)
    await writeFileDurably(existing, 'new', { mode: 0o600 })
    expect(await modeOf(existing)).toBe(0o604)
  })

  it.each([
    [
      'short',
      'NO_SPACE',
      /no space left on .* \(ENOSPC\) writing .*file\.json: 100000 bytes needed/,
    ],
    ['zero', 'NO_SPACE', /\(a short write\) writing .*file\.json: 100000 bytes needed/],
    ['enospc', 'NO_SPACE', /no space left on/],
    ['eio', 'WRITE_FAILED', /could not write .*file\.json: an I\/O error \(EIO\)/],
    [
      'lie',
      'WRITE_FAILED',
      /read back as 50000 bytes with another sha256 than the 100000 bytes written/,
    ],
  ] as const)(
    'a %s write leaves the original byte for byte, exit 4 (%s)',
    async (fault, code, message) => {
      const path = join(dir, 'file.json')
      await writeFile(path, ORIGINAL)
      const remove = installWriteFault({ path: 'file\\.json$', fault })
      const error = await writeFileDurably(path, PAYLOAD).catch((caught: unknown) => caught)
      expect(remove()).toBeGreaterThan(0)
      expect(error).toBeInstanceOf(WriteFailedError)
      expect((error as WriteFailedError).code).toBe(code)
      expect((error as WriteFailedError).exitCode).toBe(ExitCode.refused)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).toContain('is as it was')
      expect(await readFile(path)).toEqual(ORIGINAL)
      expect(await readdir(dir)).toEqual(['file.json'])
    },
  )

  it('with the fingerprint given, the copy is still checked against it', async () => {
    const path = join(dir, 'file.json')
    await writeFile(path, ORIGINAL)
    const remove = installWriteFault({ path: 'file\\.json$', fault: 'lie' })
    await expect(
      writeFileDurably(path, PAYLOAD, { fingerprint: fingerprintOf(PAYLOAD) }),
    ).rejects.toBeInstanceOf(WriteFailedError)
    remove()
    await expect(
      writeFileDurably(path, PAYLOAD, { fingerprint: fingerprintOf(ORIGINAL) }),
    ).rejects.toThrow(/read back as 100000 bytes with another sha256 than the 33 bytes written/)
    expect(await readFile(path)).toEqual(ORIGINAL)
    expect(await writeFileDurably(path, PAYLOAD, { fingerprint: fingerprintOf(PAYLOAD) })).toEqual(
      fingerprintOf(PAYLOAD),
    )
    expect(await readFile(path)).toEqual(PAYLOAD)
  })

  it('a fault on a file that did not exist leaves no file', async () => {
    const path = join(dir, 'new.json')
    const remove = installWriteFault({ path: 'new\\.json$', fault: 'short' })
    await expect(writeFileDurably(path, PAYLOAD)).rejects.toBeInstanceOf(WriteFailedError)
    remove()
    expect(await readdir(dir)).toEqual([])
  })

  it('a payload that fails while streaming or a beforeCommit that throws leaves the original', async () => {
    const path = join(dir, 'file.json')
    await writeFile(path, ORIGINAL)
    async function* failing() {
      yield 'part'
      throw new Error('source went away')
    }
    await expect(writeFileDurably(path, failing())).rejects.toThrow('source went away')
    await expect(
      writeFileDurably(path, PAYLOAD, {
        beforeCommit: () => {
          throw new RefusedError('lock lost')
        },
      }),
    ).rejects.toThrow('lock lost')
    expect(await readFile(path)).toEqual(ORIGINAL)
    expect(await readdir(dir)).toEqual(['file.json'])
  })

  it('exclusive refuses an existing file (exit 4) and leaves it', async () => {
    const path = join(dir, 'file.json')
    await writeFile(path, ORIGINAL)
    await expect(writeFileDurably(path, PAYLOAD, { exclusive: true })).rejects.toThrow(
      /already exists; it is not overwritten/,
    )
    expect(await readFile(path)).toEqual(ORIGINAL)
    await writeFileDurably(join(dir, 'other.json'), PAYLOAD, { exclusive: true })
    expect(await readFile(join(dir, 'other.json'))).toEqual(PAYLOAD)
  })

  it('a folder that does not exist, or a path under a file, is bad input (exit 3)', async () => {
    for (const path of [join(dir, 'missing', 'file.json'), join(dir, 'plain', 'file.json')]) {
      await writeFile(join(dir, 'plain'), '')
      const error = await writeFileDurably(path, 'x').catch((caught: unknown) => caught)
      expect(error).toBeInstanceOf(BadInputError)
      expect((error as BadInputError).exitCode).toBe(ExitCode.badInput)
      expect((error as Error).message).toContain(path)
    }
  })
})

describe('appendDurably', () => {
  it('appends, creating the file with the mode asked for', async () => {
    const path = join(dir, 'log.jsonl')
    await appendDurably(path, 'one\n', { mode: 0o640 })
    await appendDurably(path, 'two\n')
    expect(await readFile(path, 'utf8')).toBe('one\ntwo\n')
    expect(await modeOf(path)).toBe(0o640)
  })

  it.each(['short', 'zero', 'lie', 'enospc'] as const)(
    'a %s append is cut back to where the file ended',
    async (fault) => {
      const path = join(dir, 'log.jsonl')
      await appendDurably(path, 'one\n')
      const remove = installWriteFault({ path: 'log\\.jsonl$', fault })
      const appended = appendDurably(path, `${'x'.repeat(1000)}\n`)
      if (fault === 'lie') {
        // A file system that reports a write it did not make cannot be caught by a count: the
        // line is torn, and the reader skips a torn line (jsonl-log.ts).
        await appended
      } else {
        await expect(appended).rejects.toBeInstanceOf(WriteFailedError)
        expect(await readFile(path, 'utf8')).toBe('one\n')
      }
      remove()
    },
  )
})

describe('modes beside the legacy file', () => {
  it("is the legacy file's mode, 0600 without one", async () => {
    const legacy = join(dir, 'skill_metrics.json')
    expect(await modeForFilesBeside(legacy)).toBe(0o600)
    await writeFile(legacy, '{}')
    await chmod(legacy, 0o640)
    expect(await modeForFilesBeside(legacy)).toBe(0o640)
    createFileIfMissing(join(dir, 'db'), 0o640)
    expect(await modeOf(join(dir, 'db'))).toBe(0o640)
    await chmod(join(dir, 'db'), 0o644)
    createFileIfMissing(join(dir, 'db'), 0o600)
    expect(await modeOf(join(dir, 'db'))).toBe(0o644)
  })
})

describe('on a real file system that fills (tmpfs)', () => {
  it('refuses a payload that does not fit and leaves the original', async (context) => {
    const tmpfs = await tmpfsForTest(1 << 20, context)
    const path = join(tmpfs.dir, 'file.json')
    await writeFile(path, ORIGINAL)
    await fillDisk(tmpfs.dir, 64 * 1024)
    const error = await writeFileDurably(path, Buffer.alloc(512 * 1024, 'y')).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(WriteFailedError)
    expect((error as Error).message).toMatch(/no space left on .*: 524288 bytes needed/)
    expect(await readFile(path)).toEqual(ORIGINAL)
    expect((await readdir(tmpfs.dir)).sort()).toEqual(['file.json', 'filler'])
  })
})
