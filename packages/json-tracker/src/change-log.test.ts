import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { invocationId } from '@skill-metrics/core'
import { fingerprintFile } from '@skill-metrics/durable-file'
import { describe, expect, it } from 'vitest'
import { changeLogPathOf, changesLeadingTo } from './change-log.js'
import { JsonFileTracker, rewriteLegacyFile } from './json-tracker.js'
import { withWritersLock } from './writers-lock.js'

async function fileWithRecords(count: number): Promise<{ file: string; tracker: JsonFileTracker }> {
  const file = join(await mkdtemp(join(tmpdir(), 'sm-change-log-')), 'skill_metrics.json')
  const tracker = new JsonFileTracker({ file })
  for (let index = 0; index < count; index += 1) {
    await (
      await tracker.trackInvocation(`skill-${index % 2}`, { invokedAt: '2025-01-01T00:00:00' })
    )()
  }
  return { file, tracker }
}

const fingerprint = async (file: string) => (await fingerprintFile(file))!

describe('the writers’ change log', () => {
  it('links a snapshot to the current file through our rewrites, with what each changed', async () => {
    const { file, tracker } = await fileWithRecords(3)
    const snapshot = await fingerprint(file)
    const complete = await tracker.trackInvocation('skill-0', { invokedAt: '2025-01-01T00:00:00' })
    await complete({ errorType: 'Oops' })

    const chain = await changesLeadingTo(file, snapshot)
    expect(chain.linked).toBe(true)
    expect(chain.length).toBe(4)
    const since = [...chain.invocations.values()].filter((change) => change.sinceSnapshot)
    // Same skill, time and path as records 0 and 2: its id counts them.
    expect(since).toEqual([
      expect.objectContaining({
        seq: 3,
        id: invocationId('skill-0', '2025-01-01T00:00:00', null, 2),
        record: expect.objectContaining({ completed: true, error_type: 'Oops' }),
      }),
    ])
    const skills = [...chain.skills.values()].filter((change) => change.sinceSnapshot)
    expect(skills).toEqual([
      expect.objectContaining({
        name: 'skill-0',
        position: 0,
        aggregate: expect.objectContaining({
          total_invocations: 3,
          common_errors: new Map([['Oops', 1]]),
        }),
      }),
    ])
  })

  it('does not link across an edit made behind its back', async () => {
    const { file, tracker } = await fileWithRecords(2)
    const snapshot = await fingerprint(file)
    const document = JSON.parse(await readFile(file, 'utf8'))
    document.invocations[0].duration_seconds = 99
    await writeFile(file, JSON.stringify(document, null, 2))
    await (await tracker.trackInvocation('skill-1'))()

    const chain = await changesLeadingTo(file, snapshot)
    expect(chain.linked).toBe(false)
    // What the rewrite after the edit changed is still known, not that it links.
    expect([...chain.invocations.keys()]).toEqual([2])
  })

  it('an entry whose rename never happened links nothing', async () => {
    const { file } = await fileWithRecords(1)
    const snapshot = await fingerprint(file)
    // The entry is logged, then the rewrite stops before its rename (the lock was lost).
    const stopped = await rewriteLegacyFile(
      file,
      (document) => {
        document.invocations.push({ ...document.invocations[0]!, skill_name: 'never' })
      },
      {
        now: new Date(),
        assertHeld: () => {
          throw new Error('lock lost')
        },
      },
    ).catch((error: Error) => error.message)
    expect(stopped).toBe('lock lost')
    expect(await fingerprint(file)).toEqual(snapshot)
    const lines = (await readFile(changeLogPathOf(file), 'utf8')).trim().split('\n')
    const phantom = JSON.parse(lines.at(-1)!).after
    // Then a foreign writer edits an old record: no entry leads from the snapshot to its bytes.
    const document = JSON.parse(await readFile(file, 'utf8'))
    document.invocations[0].duration_seconds = 99
    await writeFile(file, JSON.stringify(document, null, 2))
    const chain = await changesLeadingTo(file, snapshot)
    expect(chain.current).not.toEqual(phantom)
    expect(chain.linked).toBe(false)
  })

  it('knows the bytes our writer renamed into place from their version, and hashes any other', async () => {
    const { file } = await fileWithRecords(2)
    const ours = await fingerprint(file)
    expect((await changesLeadingTo(file, ours)).current).toEqual(ours)
    // A save in place of the same size: only the version tells it apart without a hash.
    const text = await readFile(file, 'utf8')
    await writeFile(file, text.replace('"skill-0"', '"skill-9"'))
    const theirs = await fingerprint(file)
    expect(theirs.size).toBe(ours.size)
    expect((await changesLeadingTo(file, ours)).current).toEqual(theirs)
  })

  it('refuses a change that edits a record in place instead of replacing it', async () => {
    const { file } = await fileWithRecords(1)
    const log = await readFile(changeLogPathOf(file), 'utf8')
    const attempt = await withWritersLock(file, (lock) =>
      rewriteLegacyFile(
        file,
        (document) => {
          document.invocations[0]!.duration_seconds = 5
        },
        { now: new Date(), assertHeld: lock.assertHeld },
      ).catch((error: Error) => error),
    )
    expect(attempt).toBeInstanceOf(TypeError)
    expect(await readFile(changeLogPathOf(file), 'utf8')).toBe(log)
  })
})
