import { fileURLToPath } from 'node:url'
import {
  BadInputError,
  BugError,
  CompleterAlreadyCalledError,
  InconsistencyError,
  LockTimeoutError,
  RefusedError,
  UsageError,
} from '@skill-metrics/core'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { BaseCommand } from './base-command.js'

const root = fileURLToPath(new URL('..', import.meta.url))

/** A command whose run throws what the test gives it. */
function failingWith(error: Error) {
  return class Failing extends BaseCommand<typeof Failing> {
    static override id = 'failing'
    async run(): Promise<void> {
      throw error
    }
  }
}

async function outcome(error: Error, argv: string[] = []) {
  const stdout = vi.spyOn(console, 'log').mockImplementation(() => {})
  const stderr = vi.spyOn(console, 'error').mockImplementation(() => {})
  let thrown: unknown
  try {
    await failingWith(error).run(argv, root)
  } catch (caught) {
    thrown = caught
  }
  const text = (spy: typeof stdout) => spy.mock.calls.map((call) => call.join(' ')).join('\n')
  return {
    exit: (thrown as { oclif?: { exit?: number } }).oclif?.exit,
    exitCode: process.exitCode,
    stdout: text(stdout),
    stderr: text(stderr),
  }
}

afterEach(() => {
  vi.restoreAllMocks()
  process.exitCode = 0
})

describe('BaseCommand#catch maps every error to its exit code in one place', () => {
  it.each([
    ['a usage error', new UsageError('bad flags'), 2],
    ['bad input', new BadInputError({ file: 'f.json', record: 'invocations[3]' }, 'broken'), 3],
    ['a refusal', new RefusedError('no', { nextStep: 'Pass --force.' }), 4],
    ['a lock timeout', new LockTimeoutError('locked'), 4],
    ['an inconsistency', new InconsistencyError('differs'), 5],
    ['a bug of ours', new BugError('defect'), 1],
    [
      'a completer called twice',
      new CompleterAlreadyCalledError('review', '2025-01-01T00:00:00'),
      1,
    ],
    ['anything else', new TypeError('x is undefined'), 1],
  ])('%s exits %i', async (_, error, code) => {
    const result = await outcome(error)
    expect(result.exit).toBe(code)
    expect(result.exitCode).toBe(code)
    expect(result.stderr).toContain(error.message)
    expect(result.stdout).toBe('')
    if (code === 1) expect(result.stderr).toContain('    at ')
    else expect(result.stderr).not.toContain('    at ')
  })

  it('prints the next step under the message', async () => {
    const result = await outcome(new RefusedError('exists', { nextStep: 'Pass --force.' }))
    expect(result.stderr).toBe('Error: exists\nNext step: Pass --force.')
  })

  it('prints a JSON error on stdout under --json and keeps the exit code', async () => {
    const result = await outcome(
      new InconsistencyError('3 records differ', { nextStep: 'Look.' }),
      ['--json'],
    )
    expect(result.exit).toBe(5)
    expect(JSON.parse(result.stdout)).toEqual({
      error: { code: 'INCONSISTENCY', message: '3 records differ', nextStep: 'Look.', exitCode: 5 },
    })
    expect(result.stderr).toBe('')
  })
})

/** A command that has a result, then fails with what the test gives it. */
function resultThenFailing(result: object, error: Error) {
  return class ResultThenFailing extends BaseCommand<typeof ResultThenFailing> {
    static override id = 'result-then-failing'
    async run(): Promise<void> {
      this.printJson(result)
      throw error
    }
  }
}

describe('under --json a run prints one document', () => {
  it.each([
    ['an object', { read: 3 }, '{\n  "read": 3,\n  "error": {'],
    ['an ordered map', new Map([['read', 3]]), '{\n  "read": 3,\n  "error": {'],
  ])('a result then a failure: %s with the error as its last key', async (_, result, start) => {
    const stdout = vi.spyOn(console, 'log').mockImplementation(() => {})
    vi.spyOn(console, 'error').mockImplementation(() => {})
    const failing = resultThenFailing(result, new BadInputError({ file: 'f.json' }, 'rejected 1'))
    await expect(failing.run(['--json'], root)).rejects.toMatchObject({ oclif: { exit: 3 } })
    expect(stdout).toHaveBeenCalledTimes(1)
    const printed = String(stdout.mock.calls[0]![0])
    expect(printed.startsWith(start)).toBe(true)
    expect(JSON.parse(printed)).toEqual({
      read: 3,
      error: { code: 'BAD_INPUT', message: 'f.json: rejected 1', nextStep: null, exitCode: 3 },
    })
  })
})
