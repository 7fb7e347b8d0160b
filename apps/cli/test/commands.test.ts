import { existsSync } from 'node:fs'
import { mkdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { LOCK_THREAD_MIN_BYTES } from '@skill-metrics/json-tracker'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { REQUIRED_VERSION } from './schema.js'
import {
  copyFixture,
  expectContains,
  fixturePath,
  makeTempDir,
  removeDir,
  runCommand,
} from './support.js'

type Metrics = Record<string, Record<string, unknown>>

let dir: string
beforeEach(async () => {
  dir = await makeTempDir()
})
afterEach(() => removeDir(dir))

const metricsOf = async (file: string): Promise<Metrics> => {
  const run = await runCommand(['metrics', '--json', '--json-file', file], { cwd: dir })
  expect(run.exitCode, run.stderr).toBe(0)
  return JSON.parse(run.stdout) as Metrics
}

const recordsOf = async (file: string) =>
  (JSON.parse(await readFile(file, 'utf8')) as { invocations: Array<Record<string, unknown>> })
    .invocations

describe('track', () => {
  it("waits for the writers' lock up to --lock-timeout, then exits 4 and leaves the file alone", async () => {
    const file = join(dir, 'metrics.json')
    expect((await runCommand(['track', 'a', '--json-file', file], { cwd: dir })).exitCode).toBe(0)
    const before = await readFile(file)
    // A lock held by a live writer: proper-lockfile's directory, freshly touched.
    await mkdir(`${file}.lock`)
    const started = Date.now()
    const run = await runCommand(['track', 'b', '--lock-timeout', '1', '--json-file', file], {
      cwd: dir,
    })
    expect(run.exitCode).toBe(4)
    expect(run.stderr).toMatch(/writers' lock .* is held by another process; gave up after 1000 ms/)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    expect(await readFile(file)).toEqual(before)
  })

  it("records into a file large enough that its lock is held from a thread (the bundled CLI finds that thread's file)", async () => {
    const file = join(dir, 'metrics.json')
    const generated = await runCommand(['generate', file, '--invocations', '20000'], { cwd: dir })
    expect(generated.exitCode, generated.stderr).toBe(0)
    expect((await stat(file)).size).toBeGreaterThanOrEqual(LOCK_THREAD_MIN_BYTES)
    const tracked = await runCommand(['track', 'big-file', '--json-file', file], { cwd: dir })
    expect(tracked.exitCode, tracked.stderr).toBe(0)
    expect((await metricsOf(file))['big-file']).toMatchObject({ total_invocations: 1 })
  })

  it('records a completed invocation that metrics then shows', async () => {
    const file = join(dir, 'metrics.json')
    const run = await runCommand(
      [
        'track',
        'code-review',
        '--workflow-path',
        'quick',
        '--duration',
        '2.5',
        '--json-file',
        file,
      ],
      { cwd: dir },
    )
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toContain('code-review')
    const metrics = await metricsOf(file)
    expect(Object.keys(metrics)).toEqual(['code-review'])
    const review = metrics['code-review']!
    expectContains(review, {
      skill_name: 'code-review',
      total_invocations: 1,
      completed_invocations: 1,
      abandoned_invocations: 0,
      workflow_paths: { quick: 1 },
      common_errors: {},
      follow_up_actions: {},
      completion_rate: 100,
    })
    // Exactly the duration given: start-up and the wait for the lock are not the skill's.
    const duration = review.total_duration_seconds
    expect(duration).toBe(2.5)
    expect(review.avg_duration_seconds).toBe(duration)
    expect(review.p50_duration_seconds).toBe(duration)
    expect(review.first_invoked).toBe(review.last_invoked)
    const [record] = await recordsOf(file)
    expect(record).toMatchObject({
      skill_name: 'code-review',
      workflow_path: 'quick',
      completed: true,
      follow_up_actions: [],
      error_type: null,
    })
    expect(record!.invoked_at).toBe(review.first_invoked)
  })

  it('counts an abandoned invocation, its error and duplicate follow-ups', async () => {
    const file = join(dir, 'metrics.json')
    const run = await runCommand(
      [
        'track',
        'type-fixer',
        '--abandoned',
        '--error-type',
        'TimeoutError',
        '--follow-up',
        'rerun',
        '--follow-up',
        'rerun',
        '--json',
        '--json-file',
        file,
      ],
      { cwd: dir },
    )
    expect(run.exitCode, run.stderr).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ skill_name: 'type-fixer', completed: false })
    const metrics = await metricsOf(file)
    expectContains(metrics['type-fixer'], {
      total_invocations: 1,
      completed_invocations: 0,
      abandoned_invocations: 1,
      total_duration_seconds: 0,
      workflow_paths: {},
      common_errors: { TimeoutError: 1 },
      follow_up_actions: { rerun: 2 },
      completion_rate: 0,
      avg_duration_seconds: 0,
      p50_duration_seconds: null,
    })
    const [record] = await recordsOf(file)
    expect(record).toMatchObject({
      completed: false,
      follow_up_actions: ['rerun', 'rerun'],
      error_type: 'TimeoutError',
      workflow_path: null,
    })
    expect(typeof record!.duration_seconds).toBe('number')
  })

  it('takes the skill after a repeatable flag, and accumulates runs', async () => {
    const file = join(dir, 'metrics.json')
    for (const args of [
      ['--follow-up', 'commit', 'lint'],
      ['lint', '--workflow-path', 'ci'],
      ['lint', '--abandoned'],
    ]) {
      const run = await runCommand(['track', ...args, '--json-file', file], { cwd: dir })
      expect(run.exitCode, run.stderr).toBe(0)
    }
    expectContains(await metricsOf(file), {
      lint: {
        total_invocations: 3,
        completed_invocations: 2,
        abandoned_invocations: 1,
        workflow_paths: { ci: 1 },
        follow_up_actions: { commit: 1 },
      },
    })
  })

  it('writes to .session-buddy/skill_metrics.json in the current directory by default', async () => {
    const run = await runCommand(['track', 'plan'], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(0)
    const file = join(dir, '.session-buddy', 'skill_metrics.json')
    expect((await recordsOf(file)).map((record) => record.skill_name)).toEqual(['plan'])
  })

  it('reads the file from SKILL_METRICS_JSON_FILE', async () => {
    const file = join(dir, 'from-env.json')
    const track = await runCommand(['track', 'plan'], {
      cwd: dir,
      env: { SKILL_METRICS_JSON_FILE: file },
    })
    expect(track.exitCode, track.stderr).toBe(0)
    expect(Object.keys(await metricsOf(file))).toEqual(['plan'])
  })

  it.each([['-1'], ['abc'], ['Infinity'], ['NaN'], ['']])(
    'refuses --duration %j as a usage error and writes nothing',
    async (duration) => {
      const file = join(dir, 'metrics.json')
      const run = await runCommand(
        ['track', 'plan', `--duration=${duration}`, '--json-file', file],
        {
          cwd: dir,
        },
      )
      expect(run.exitCode).toBe(2)
      expect(run.stderr).toContain('--duration')
      expect(existsSync(file)).toBe(false)
    },
  )
})

describe('metrics, summary and export', () => {
  it('--source db refuses a database without the schema (exit 4) and creates nothing', async () => {
    const db = join(dir, 'none.db')
    const run = await runCommand(['metrics', '--source', 'db', '--db', `sqlite:${db}`], {
      cwd: dir,
    })
    expect(run.exitCode).toBe(4)
    expect(run.stderr).toContain(
      `the database ${db} does not exist yet; this version of skill-metrics needs V${REQUIRED_VERSION}`,
    )
    expect(run.stderr).toContain('skill-metrics schema migrate')
    expect(existsSync(db)).toBe(false)
  })

  it('metrics prints a table of every skill', async () => {
    const file = await copyFixture('small', dir)
    const run = await runCommand(['metrics', '--json-file', file], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(0)
    const expected = JSON.parse(await readFile(fixturePath('small', '.metrics.json'), 'utf8'))
    for (const skill of Object.keys(expected)) expect(run.stdout).toContain(skill)
    expect(run.stdout).toMatch(/Completion/)
    expect(run.stdout).toMatch(/p95/)
  })

  it('metrics SKILL shows that skill only', async () => {
    const file = await copyFixture('small', dir)
    const run = await runCommand(['metrics', 'type-fixer', '--json', '--json-file', file], {
      cwd: dir,
    })
    expect(run.exitCode, run.stderr).toBe(0)
    const expected = JSON.parse(await readFile(fixturePath('small', '.metrics.json'), 'utf8'))
    const actual = JSON.parse(run.stdout)
    expect(Object.keys(actual)).toEqual(['type-fixer'])
    expectContains(actual['type-fixer'], expected['type-fixer'])
  })

  it('metrics of an unknown skill is bad input that names it', async () => {
    const file = await copyFixture('small', dir)
    const run = await runCommand(['metrics', 'no-such-skill', '--json-file', file], { cwd: dir })
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toContain('no-such-skill')
    expect(run.stderr).toContain(file)
  })

  it('summary prints a short text', async () => {
    const file = await copyFixture('small', dir)
    const run = await runCommand(['summary', '--json-file', file], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toContain('Invocations: 392')
    expect(run.stdout).toContain('crackerjack-run')
  })

  it('an absent file is an empty tracker', async () => {
    const file = join(dir, 'none.json')
    const summary = await runCommand(['summary', '--json', '--json-file', file], { cwd: dir })
    expect(summary.exitCode, summary.stderr).toBe(0)
    expect(JSON.parse(summary.stdout)).toEqual({
      total_skills: 0,
      total_invocations: 0,
      overall_completion_rate: 0,
      most_used_skill: null,
      avg_duration_seconds: 0,
    })
    expect(await metricsOf(file)).toEqual({})
    expect(existsSync(file)).toBe(false)
  })

  it('export writes the legacy export layout', async () => {
    const file = await copyFixture('small', dir)
    const out = join(dir, 'export.json')
    const run = await runCommand(['export', out, '--json-file', file], { cwd: dir })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toContain(out)
    const exported = JSON.parse(await readFile(out, 'utf8'))
    expect(Object.keys(exported)).toEqual(['summary', 'skills', 'invocations', 'exported_at'])
    expectContains(
      exported.summary,
      JSON.parse(await readFile(fixturePath('small', '.summary.json'), 'utf8')),
    )
    expect(exported.invocations).toEqual(JSON.parse(await readFile(file, 'utf8')).invocations)
  })
})

describe('generate', () => {
  it('writes a file that metrics reads, with the counts it printed', async () => {
    const out = join(dir, 'generated.json')
    const run = await runCommand(
      ['generate', out, '--invocations', '500', '--skills', '5', '--seed', '7', '--json'],
      { cwd: dir },
    )
    expect(run.exitCode, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout)
    expect(result).toMatchObject({ invocations: 500, skills: 5, bytes: (await stat(out)).size })
    expect(result.completed + result.abandoned + result.pending).toBe(500)
    const metrics = Object.values(await metricsOf(out))
    expect(metrics).toHaveLength(5)
    const sum = (field: string) =>
      metrics.reduce((total, skill) => total + (skill[field] as number), 0)
    expect(sum('completed_invocations')).toBe(result.completed)
    expect(sum('abandoned_invocations')).toBe(result.abandoned)
    expect((await recordsOf(out)).length).toBe(500)
  })

  it('refuses to overwrite a file unless --force', async () => {
    const out = join(dir, 'generated.json')
    const first = await runCommand(['generate', out, '--invocations', '50'], { cwd: dir })
    expect(first.exitCode, first.stderr).toBe(0)
    expect(first.stdout).toContain('50 invocations')
    const before = await readFile(out)
    const again = await runCommand(['generate', out, '--invocations', '10'], { cwd: dir })
    expect(again.exitCode).toBe(4)
    expect(again.stderr).toContain(out)
    expect(again.stderr).toContain('--force')
    expect(await readFile(out)).toEqual(before)
    const json = await runCommand(['generate', out, '--invocations', '10', '--json'], { cwd: dir })
    expect(json.exitCode).toBe(4)
    expect(JSON.parse(json.stdout).error).toMatchObject({ code: 'REFUSED', exitCode: 4 })
    const forced = await runCommand(['generate', out, '--invocations', '10', '--force'], {
      cwd: dir,
    })
    expect(forced.exitCode, forced.stderr).toBe(0)
    expect((await recordsOf(out)).length).toBe(10)
  })

  it('needs --invocations (usage)', async () => {
    const run = await runCommand(['generate', join(dir, 'g.json')], { cwd: dir })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('invocations')
    const bad = await runCommand(['generate', join(dir, 'g.json'), '--invocations', 'many'], {
      cwd: dir,
    })
    expect(bad.exitCode).toBe(2)
    expect(existsSync(join(dir, 'g.json'))).toBe(false)
  })
})
