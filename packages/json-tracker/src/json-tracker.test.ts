import { mkdir, mkdtemp, readFile, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  type Clock,
  CompleterAlreadyCalledError,
  ExitCode,
  LockTimeoutError,
} from '@skill-metrics/core'
import { expectAggregatesMatchRecords } from '@skill-metrics/testing/legacy-checks'
import { describe, expect, it } from 'vitest'
import { JsonFileTracker, loadLegacyFile, rewriteLegacyFile } from './json-tracker.js'
import { readWriterState } from './writer-state.js'
import { lockPathOf, withWritersLock } from './writers-lock.js'

async function freshFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'sm-tracker-')), '.session-buddy', 'skill_metrics.json')
}

/** A clock that moves only when told to. */
function manualClock(start: Date): Clock & { advance(ms: number): void } {
  let now = start.getTime()
  return {
    now: () => new Date(now),
    advance(ms: number) {
      now += ms
    },
  }
}

describe('JsonFileTracker', () => {
  it('writes a pending record at start and completes it in place once', async () => {
    const file = await freshFile()
    const clock = manualClock(new Date(2025, 2, 1, 8, 0, 0))
    const tracker = new JsonFileTracker({ file, clock })
    const complete = await tracker.trackInvocation('review', { workflowPath: 'full' })
    const pending = await loadLegacyFile(file)
    expect(pending.invocations).toEqual([
      {
        skill_name: 'review',
        invoked_at: '2025-03-01T08:00:00',
        workflow_path: 'full',
        completed: false,
        duration_seconds: null,
        follow_up_actions: [],
        error_type: null,
      },
    ])
    expect(pending.skills.size).toBe(0)

    clock.advance(2_500)
    await complete({ followUpActions: ['commit', 'commit'], errorType: 'Warn' })
    const done = await loadLegacyFile(file)
    expect(done.invocations[0]).toMatchObject({ completed: true, duration_seconds: 2.5 })
    expect(done.skills.get('review')).toMatchObject({
      total_invocations: 1,
      completed_invocations: 1,
      total_duration_seconds: 2.5,
      first_invoked: '2025-03-01T08:00:00',
      last_invoked: '2025-03-01T08:00:00',
    })
    expect([...done.skills.get('review')!.follow_up_actions]).toEqual([['commit', 2]])
    expect(done.last_updated).toBe('2025-03-01T08:00:02.500000')

    const second = await complete().catch((error: unknown) => error)
    expect(second).toBeInstanceOf(CompleterAlreadyCalledError)
    expect(await loadLegacyFile(file)).toEqual(done)
  })

  it('refuses a second call made while the first is still writing', async () => {
    const tracker = new JsonFileTracker({ file: await freshFile() })
    const complete = await tracker.trackInvocation('s')
    const [first, second] = await Promise.allSettled([complete(), complete()])
    expect(first.status).toBe('fulfilled')
    expect(second.status === 'rejected' && second.reason).toBeInstanceOf(
      CompleterAlreadyCalledError,
    )
    expect((await tracker.getSkillMetrics('s'))?.total_invocations).toBe(1)
  })

  it('gives up on a held lock after its bound with exit 4, and the completer may be retried', async () => {
    const file = await freshFile()
    const tracker = new JsonFileTracker({ file, lockTimeoutMs: 200 })
    const complete = await tracker.trackInvocation('s')
    let release!: () => void
    const held = withWritersLock(file, () => new Promise<void>((resolve) => (release = resolve)))
    await new Promise((resolve) => setTimeout(resolve, 50))
    const started = performance.now()
    const error = await complete().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(LockTimeoutError)
    expect((error as LockTimeoutError).exitCode).toBe(ExitCode.refused)
    expect(performance.now() - started).toBeGreaterThanOrEqual(190)
    release()
    await held
    await complete()
    expect((await tracker.getSkillMetrics('s'))?.completed_invocations).toBe(1)
  })

  it('takes over a lock whose holder stopped refreshing it', async () => {
    const file = await freshFile()
    await mkdir(lockPathOf(file), { recursive: true })
    const longAgo = new Date(Date.now() - 60_000)
    await utimes(lockPathOf(file), longAgo, longAgo)
    const tracker = new JsonFileTracker({ file, lockTimeoutMs: 1_000 })
    await (await tracker.trackInvocation('s'))()
    expect((await tracker.getSkillMetrics('s'))?.total_invocations).toBe(1)
  })

  it('notices a file changed by a writer that is not us, and keeps its content', async () => {
    const file = await freshFile()
    const tracker = new JsonFileTracker({ file })
    await (await tracker.trackInvocation('s'))()
    expect((await readWriterState(file))?.foreign_writes).toEqual([])
    const text = await readFile(file, 'utf8')
    await writeFile(file, text.replace('"total_invocations": 1', '"total_invocations": 5'))
    await (await tracker.trackInvocation('s'))()
    const state = await readWriterState(file)
    expect(state?.foreign_writes).toHaveLength(1)
    expect((await tracker.getSkillMetrics('s'))?.total_invocations).toBe(6)
  })

  it('a save by a lockless writer between our read and our rename is read again, not renamed over', async () => {
    const file = await freshFile()
    const tracker = new JsonFileTracker({ file })
    await (await tracker.trackInvocation('ours'))()
    const saved = await readFile(file, 'utf8')
    let runs = 0
    await withWritersLock(file, (lock) =>
      rewriteLegacyFile(
        file,
        async (document) => {
          runs += 1
          // The original tracker saves in place, without the lock, while our change is made.
          if (runs === 1)
            await writeFile(
              file,
              saved.replace(
                '"invocations": [',
                '"invocations": [{"skill_name": "theirs", "invoked_at": "2025-01-01T00:00:00", "workflow_path": null, "completed": true, "duration_seconds": 1.0, "follow_up_actions": [], "error_type": null}, ',
              ),
            )
          document.invocations.push({ ...document.invocations[0]!, skill_name: 'ours-again' })
        },
        { now: new Date(), assertHeld: lock.assertHeld },
      ),
    )
    expect(runs).toBe(2)
    const document = await loadLegacyFile(file)
    expect(document.invocations.map((record) => record.skill_name)).toEqual([
      'theirs',
      'ours',
      'ours-again',
    ])
    expect((await readWriterState(file))?.foreign_writes).toHaveLength(1)
  })

  it('completes a record that a foreign writer dropped by adding it again', async () => {
    const file = await freshFile()
    const tracker = new JsonFileTracker({ file })
    const complete = await tracker.trackInvocation('s')
    await writeFile(file, '{"invocations": [], "skills": {}}')
    await complete()
    const document = await loadLegacyFile(file)
    expect(document.invocations).toHaveLength(1)
    expect(document.invocations[0]?.completed).toBe(true)
  })

  it('keeps aggregates equal to the records over many sequential invocations', async () => {
    const file = await freshFile()
    const tracker = new JsonFileTracker({ file })
    for (let index = 0; index < 30; index += 1) {
      const complete = await tracker.trackInvocation(['a', 'b', '3'][index % 3]!, {
        workflowPath: index % 4 === 0 ? null : `p${index % 2}`,
      })
      await complete({ completed: index % 5 !== 0, errorType: index % 7 === 0 ? 'E' : null })
    }
    const document = await loadLegacyFile(file)
    expect([...document.skills.keys()]).toEqual(['a', 'b', '3'])
    expectAggregatesMatchRecords(document.invocations, document.skills, 'file')
  })

  it('exports the legacy export layout', async () => {
    const file = await freshFile()
    const clock = manualClock(new Date(2025, 2, 1, 8, 0, 0))
    const tracker = new JsonFileTracker({ file, clock })
    await (await tracker.trackInvocation('s'))()
    const out = join(file, '..', 'export.json')
    await tracker.exportMetrics(out)
    const exported = JSON.parse(await readFile(out, 'utf8'))
    expect(Object.keys(exported)).toEqual(['summary', 'skills', 'invocations', 'exported_at'])
    expect(exported.summary.most_used_skill).toBe('s')
    expect(exported.invocations).toHaveLength(1)
    expect(exported.exported_at).toBe('2025-03-01T08:00:00')
  })
})
