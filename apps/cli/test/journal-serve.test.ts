import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { copyFixture, makeTempDir, removeDir, runCli, runCommand } from './support.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await removeDir(dir)
})

const invocationEntry = (entry: string, workflow: string) =>
  JSON.stringify({
    entry,
    kind: 'invocation',
    record: {
      skill_name: 'served',
      invoked_at: '2026-12-01T10:00:00.000000',
      workflow_path: workflow,
      completed: true,
      duration_seconds: 1.5,
      follow_up_actions: [],
      error_type: null,
    },
    session_id: null,
  })

describe('journal apply --serve', () => {
  it('answers each line in order, a bad one with its reason, applies an entry given twice once, and goes on until the input ends', async () => {
    const dir = await makeTempDir()
    dirs.push(dir)
    const jsonFile = await copyFixture('small', dir)
    const env = { SKILL_METRICS_DB: `sqlite:${join(dir, 'db.sqlite')}` }
    const first = '0b7f3a3c-3c9e-4a53-9d5f-000000000001'
    const second = '0b7f3a3c-3c9e-4a53-9d5f-000000000002'
    const input = [
      invocationEntry(first, 'one'),
      '{"entry": "not an entry"}',
      invocationEntry(second, 'two'),
      // The same entry again: applied once, by its id.
      invocationEntry(first, 'one'),
    ].join('\n')
    const served = await runCli(['journal', 'apply', '--serve', '--json-file', jsonFile], {
      cwd: dir,
      env,
      input: `${input}\n`,
    })
    expect(served.exitCode).toBe(0)
    const answers = served.stdout.split('\n').map((line) => JSON.parse(line))
    expect(answers.map(({ line, ok }) => [line, ok])).toEqual([
      [1, true],
      [2, false],
      [3, true],
      [4, true],
    ])
    expect(answers[1].error.message).toMatch(/^line 2 is not a journal entry: /)
    expect(served.stderr).toContain('line 2 is not a journal entry')
    expect(answers[0].result.entry.entry).toBe(first)
    expect(answers[3].result.entry).toEqual(answers[0].result.entry)
    expect(answers[2].result.phase).toBe('json-only')
    const metrics = await runCommand(['metrics', 'served', '--json', '--json-file', jsonFile], {
      cwd: dir,
      env,
    })
    expect(JSON.parse(metrics.stdout).served.workflow_paths).toEqual({ one: 1, two: 1 })
  })
})
