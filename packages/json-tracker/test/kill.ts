import { setTimeout as sleep } from 'node:timers/promises'
import { expectAggregatesMatchRecords } from '@skill-metrics/testing/legacy-checks'
import { expect } from 'vitest'
import { loadLegacyFile } from '../src/json-tracker.js'
import { LOCK_STALE_MS } from '../src/writers-lock.js'
import { freshLegacyPath, returnedTags, startWriter } from './writers.js'

/**
 * `kill -9` of a writer at a random moment, `trials` times on one file: after each kill the file
 * parses, holds every invocation whose write returned, keeps aggregates equal to its records, and
 * the next writer gets through (taking over a lock the dead one may have left).
 */
export async function expectKilledWritersLoseNothing(trials: number): Promise<void> {
  const file = await freshLegacyPath()
  const returned: string[] = []
  for (let trial = 0; trial < trials; trial += 1) {
    const writer = startWriter(file, trial, 'forever')
    const tags: string[] = []
    writer.stdout?.on('data', (chunk: Buffer) => tags.push(...returnedTags(chunk.toString())))
    await sleep(150 + Math.random() * 400)
    writer.kill('SIGKILL')
    await writer
    returned.push(...tags)

    const document = await loadLegacyFile(file)
    const completed = new Set(
      document.invocations
        .filter((invocation) => invocation.duration_seconds !== null)
        .map((invocation) => invocation.workflow_path),
    )
    for (const tag of returned)
      expect(completed.has(tag), `${tag} returned but is not in the file`).toBe(true)
    expectAggregatesMatchRecords(document.invocations, document.skills, 'file')

    const started = performance.now()
    const next = await startWriter(file, 1000 + trial, 1)
    expect(next.exitCode, String(next.stderr)).toBe(0)
    returned.push(...returnedTags(next.stdout))
    expect(performance.now() - started).toBeLessThan(LOCK_STALE_MS + 5_000)
  }
  const final = await loadLegacyFile(file)
  console.log(
    `${trials} kill -9 trials: ${returned.length} returned invocations, ${final.invocations.length} records (the rest pending)`,
  )
}
