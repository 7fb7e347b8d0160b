import { chmod, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BadInputError, ExitCode } from '@skill-metrics/core'
import { describe, expect, it } from 'vitest'
import { JsonFileTracker, loadLegacyFile } from './json-tracker.js'

const record = (fields: Record<string, unknown>) =>
  JSON.stringify({
    invocations: [
      { skill_name: 's', invoked_at: '2025-01-01T00:00:00', completed: false },
      { skill_name: 's', invoked_at: '2025-01-01T00:00:01', ...fields },
    ],
    skills: {},
  })

const cases: Array<[string, string, RegExp]> = [
  ['truncated JSON', '{"invocations": [{"skill_name": "s"', /not valid JSON/],
  ['0 bytes', '', /empty \(0 bytes\).*crash mid-write/],
  ['only whitespace', '  \n\t ', /empty \(5 bytes\)/],
  ['a NaN literal', '{"invocations": [], "skills": {}, "x": NaN}', /not valid JSON/],
  ['an Infinity literal', '{"invocations": [], "skills": {}, "x": Infinity}', /not valid JSON/],
  ['a top level that is a list', '[]', /top level must be a JSON object/],
  ['invocations that is not a list', '{"invocations": {}}', /invocations: expected a list/],
  ['skills that is not an object', '{"skills": []}', /skills: expected an object/],
  [
    'an invocation that is not an object',
    '{"invocations": [1]}',
    /invocations\[0\]: expected an invocation object/,
  ],
  [
    'a missing skill_name',
    record({ skill_name: undefined }),
    /invocations\[1\]\.skill_name: required field is missing/,
  ],
  [
    'a missing invoked_at',
    record({ invoked_at: undefined }),
    /invocations\[1\]\.invoked_at: required field is missing/,
  ],
  [
    'completed as a string',
    record({ completed: 'yes' }),
    /invocations\[1\]\.completed: expected true or false, got "yes"/,
  ],
  [
    'a duration as a string',
    record({ duration_seconds: '3' }),
    /invocations\[1\]\.duration_seconds/,
  ],
  [
    'follow-ups that are not strings',
    record({ follow_up_actions: [1] }),
    /invocations\[1\]\.follow_up_actions\.0/,
  ],
  ['an unknown invocation key', record({ id: 'x' }), /invocations\[1\]: unknown field "id"/],
  [
    'a malformed timestamp',
    record({ invoked_at: 'yesterday at noon' }),
    /invocations\[1\]\.invoked_at: "yesterday at noon" is not an ISO-8601/,
  ],
  [
    'a timestamp with a zone',
    record({ invoked_at: '2025-01-01T00:00:00Z' }),
    /invoked_at: .* is not an ISO-8601/,
  ],
  [
    'an unknown skill key',
    '{"skills": {"s": {"skill_name": "s", "colour": 1}}}',
    /skills\["s"\]: unknown field "colour"/,
  ],
  [
    'a skill without skill_name',
    '{"skills": {"s": {"total_invocations": 1}}}',
    /skills\["s"\]\.skill_name: required/,
  ],
  [
    'a fractional count',
    '{"skills": {"s": {"skill_name": "s", "total_invocations": 1.5}}}',
    /total_invocations/,
  ],
  [
    'a negative count',
    '{"skills": {"s": {"skill_name": "s", "total_invocations": -1}}}',
    /total_invocations/,
  ],
  [
    'a counter with a string count',
    '{"skills": {"s": {"skill_name": "s", "common_errors": {"E": "1"}}}}',
    /common_errors\.E/,
  ],
]

async function tempFile(content: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'sm-bad-'))
  const file = join(dir, 'skill_metrics.json')
  await writeFile(file, content)
  return file
}

describe('bad input is refused with file, record and field, and never touched', () => {
  it.each(cases)('%s', async (_, content, message) => {
    const file = await tempFile(content)
    const tracker = new JsonFileTracker({ file })
    const error = await tracker.trackInvocation('s').then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(BadInputError)
    expect((error as BadInputError).exitCode).toBe(ExitCode.badInput)
    expect((error as Error).message).toContain(file)
    expect((error as Error).message).toMatch(message)
    await expect(tracker.getAllMetrics()).rejects.toBeInstanceOf(BadInputError)
    expect(await readFile(file, 'utf8')).toBe(content)
  })

  it('names the newest backup to restore an empty file from', async () => {
    const file = await tempFile('')
    await writeFile(`${file}.backup-20250101T000000`, '{}')
    const error = (await loadLegacyFile(file).catch((caught: unknown) => caught)) as BadInputError
    expect(error.nextStep).toContain(`${file}.backup-20250101T000000`)
  })

  it('refuses a directory and a path that cannot be read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sm-bad-'))
    await mkdir(join(dir, 'sub'))
    await expect(loadLegacyFile(join(dir, 'sub'))).rejects.toThrow(/is a directory/)
    await writeFile(join(dir, 'plain'), '{}')
    await expect(loadLegacyFile(join(dir, 'plain', 'x.json'))).rejects.toThrow(
      /cannot be read \(ENOTDIR\)/,
    )
    if (process.getuid?.() !== 0) {
      await writeFile(join(dir, 'locked.json'), '{}')
      await chmod(join(dir, 'locked.json'), 0)
      await expect(loadLegacyFile(join(dir, 'locked.json'))).rejects.toThrow(
        /cannot be read \(EACCES\)/,
      )
    }
  })
})

describe('accepted oddities are read as the original reads them', () => {
  it('a missing file is an empty tracker', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sm-odd-'))
    const tracker = new JsonFileTracker({ file: join(dir, 'none.json') })
    expect((await tracker.getSummary()).total_skills).toBe(0)
  })

  it('missing defaulted fields take their defaults and are then written out', async () => {
    const file = await tempFile(
      '{"invocations": [{"skill_name": "s", "invoked_at": "2025-01-01T00:00:00"}], "skills": {"s": {"skill_name": "s", "total_invocations": 2}}}',
    )
    const document = await loadLegacyFile(file)
    expect(document.invocations[0]).toEqual({
      skill_name: 's',
      invoked_at: '2025-01-01T00:00:00',
      workflow_path: null,
      completed: false,
      duration_seconds: null,
      follow_up_actions: [],
      error_type: null,
    })
    expect(document.skills.get('s')).toMatchObject({
      total_invocations: 2,
      completed_invocations: 0,
      first_invoked: null,
    })
    await (await new JsonFileTracker({ file }).trackInvocation('t'))()
    const written = await readFile(file, 'utf8')
    expect(written).toContain('"workflow_path": null')
    expect(written).toContain('"abandoned_invocations": 0')
  })

  it('negative durations and unknown top-level keys are kept', async () => {
    const file = await tempFile(
      '{"invocations": [{"skill_name": "s", "invoked_at": "2025-01-01T00:00:00", "completed": true, "duration_seconds": -3600.5}], "skills": {}, "owner": {"name": "x", "2": [1.0, 2]}}',
    )
    await (await new JsonFileTracker({ file }).trackInvocation('t'))()
    const written = await readFile(file, 'utf8')
    expect(written).toContain('"duration_seconds": -3600.5')
    expect(written).toMatch(
      /"owner": \{\n {4}"name": "x",\n {4}"2": \[\n {6}1\.0,\n {6}2\n {4}\]\n {2}\}\n\}$/,
    )
  })
})
