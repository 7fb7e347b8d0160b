import { existsSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  copyFixture,
  fixturePath,
  makeTempDir,
  removeDir,
  runCommand,
  writeBrokenFile,
} from './support.js'

let dir: string
beforeEach(async () => {
  dir = await makeTempDir()
})
afterEach(() => removeDir(dir))

const good = {
  skill_name: 'review',
  invoked_at: '2025-01-06T14:18:41.680984',
  workflow_path: null,
  completed: true,
  duration_seconds: 1.5,
  follow_up_actions: [],
  error_type: null,
}
const fileWith = (invocations: unknown[]) =>
  JSON.stringify({ invocations, skills: {}, last_updated: '2025-01-06T14:20:00' }, null, 2)

/** Bad files: their content, and what stderr must name besides the file. */
const BAD_FILES: Array<{ name: string; content: () => Promise<string | Buffer>; names: string[] }> =
  [
    {
      name: 'a truncated file',
      content: async () => (await readFile(fixturePath('small'))).subarray(0, 5000),
      names: ['not valid JSON'],
    },
    { name: 'a 0-byte file', content: async () => '', names: ['empty'] },
    {
      name: 'a file with NaN',
      content: async () => fileWith([good]).replace('1.5', 'NaN'),
      names: ['not valid JSON'],
    },
    {
      name: 'an invocation with an unknown key',
      content: async () => fileWith([good, { ...good, session: 'x' }]),
      names: ['invocations[1]', 'session'],
    },
    {
      name: 'an invocation without skill_name',
      content: async () => fileWith([good, good, { ...good, skill_name: undefined }]),
      names: ['invocations[2].skill_name', 'missing'],
    },
    {
      name: 'a bad invoked_at',
      content: async () => fileWith([{ ...good, invoked_at: 'yesterday' }]),
      names: ['invocations[0].invoked_at', 'yesterday'],
    },
    {
      name: 'a wrong type',
      content: async () => fileWith([{ ...good, completed: 'yes' }]),
      names: ['invocations[0].completed'],
    },
    {
      name: 'a top level that is not an object',
      content: async () => '[1, 2]',
      names: ['top level'],
    },
  ]

describe.each(BAD_FILES)('$name', ({ content, names }) => {
  let file: string
  let bytes: Buffer
  beforeEach(async () => {
    file = join(dir, 'skill_metrics.json')
    await writeBrokenFile(file, await content())
    bytes = await readFile(file)
  })

  it.each([
    ['track', 'review', '--duration', '1'],
    ['metrics'],
    ['summary'],
    ['report'],
    ['export', 'out.json'],
  ])('%s exits 3 naming the file and the place, and leaves it unchanged', async (...args) => {
    const run = await runCommand([...args, '--json-file', file], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(3)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain(file)
    for (const name of names) expect(run.stderr).toContain(name)
    expect(run.stderr).not.toContain('    at ')
    expect(await readFile(file)).toEqual(bytes)
    expect(existsSync(join(dir, 'out.json'))).toBe(false)
  })

  it('prints a JSON error under --json, with the exit code', async () => {
    const run = await runCommand(['track', 'review', '--json', '--json-file', file], { cwd: dir })
    expect(run.exitCode).toBe(3)
    const { error } = JSON.parse(run.stdout)
    expect(error).toMatchObject({ code: 'BAD_INPUT', exitCode: 3 })
    expect(error.message).toContain(file)
    for (const name of names) expect(error.message).toContain(name)
    expect(await readFile(file)).toEqual(bytes)
  })
})

describe('unusable --json-file paths', () => {
  it('a directory is bad input', async () => {
    const file = join(dir, 'folder')
    await mkdir(file)
    for (const args of [['track', 'review'], ['metrics']]) {
      const run = await runCommand([...args, '--json-file', file], { cwd: dir })
      expect(run.exitCode, run.stderr).toBe(3)
      expect(run.stderr).toContain(file)
      expect(run.stderr).toContain('directory')
    }
    expect(await readdir(file)).toEqual([])
  })

  it.each([
    ['inside a regular file', 'plain/skill_metrics.json'],
    ['below a regular file', 'plain/sub/skill_metrics.json'],
  ])('a path %s (ENOTDIR) is bad input', async (_, relative) => {
    const plain = join(dir, 'plain')
    await writeFile(plain, 'not a directory')
    const file = join(dir, relative)
    for (const args of [['track', 'review'], ['metrics'], ['summary'], ['report']]) {
      const run = await runCommand([...args, '--json-file', file], { cwd: dir })
      expect(run.exitCode, `${args[0]}: ${run.stderr}`).toBe(3)
      expect(run.stderr).toContain(file)
      expect(run.stderr).not.toContain('    at ')
    }
    expect(await readFile(plain, 'utf8')).toBe('not a directory')
  })

  it('an export into a missing directory is bad input naming it', async () => {
    const file = await copyFixture('small', dir)
    const out = join(dir, 'missing', 'export.json')
    const run = await runCommand(['export', out, '--json-file', file], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(3)
    expect(run.stderr).toContain(out)
  })
})

describe('usage errors', () => {
  it.each([
    [['metrics', '--no-such-flag']],
    [['track']],
    [['track', 'a', 'b']],
    [['generate', 'out.json']],
    [['generate', 'out.json', '--invocations', 'x']],
  ])('%j exits 2', async (args) => {
    const run = await runCommand(args, { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(2)
    expect(run.stderr).toMatch(/\S/)
    expect(run.stderr).not.toContain('    at ')
  })

  it('an unknown flag under --json prints a JSON error and still exits 2', async () => {
    const run = await runCommand(['metrics', '--no-such-flag', '--json'], { cwd: dir })
    expect(run.exitCode).toBe(2)
    const { error } = JSON.parse(run.stdout)
    expect(error).toMatchObject({ code: 'USAGE', exitCode: 2, nextStep: null })
    expect(error.message).toContain('--no-such-flag')
  })
})

describe('--db', () => {
  it.each([
    ['mysql://admin:hunter2@db.example/metrics'],
    ['sqlite:'],
    ['postgres://'],
    ['https://admin:hunter2@example.com/'],
    ['.session-buddy/skill_metrics.db'],
  ])('%s is bad input (3), and no password is printed', async (url) => {
    const file = await copyFixture('small', dir)
    const run = await runCommand(['metrics', '--db', url, '--json-file', file], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(3)
    expect(run.stderr).toContain('--db')
    expect(run.stderr).not.toContain('hunter2')
    const json = await runCommand(['metrics', '--json', '--json-file', file], {
      cwd: dir,
      env: { SKILL_METRICS_DB: url },
    })
    expect(json.exitCode).toBe(3)
    expect(json.stdout).not.toContain('hunter2')
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'BAD_INPUT', exitCode: 3 })
  })

  it.each([
    ['sqlite:.session-buddy/skill_metrics.db'],
    ['sqlite:/var/lib/metrics.db'],
    ['sqlite::memory:'],
    ['postgres://admin:hunter2@localhost:5432/metrics'],
    ['postgresql://localhost/metrics?sslmode=require'],
  ])('%s is accepted', async (url) => {
    const file = await copyFixture('small', dir)
    const run = await runCommand(['summary', '--db', url, '--json-file', file], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).not.toContain('hunter2')
  })
})
