import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expectAggregatesMatchRecords } from '@skill-metrics/testing/legacy-checks'
import { execa, type ResultPromise } from 'execa'
import { expect } from 'vitest'
import { loadLegacyFile } from '../src/json-tracker.js'

const childWriter = fileURLToPath(new URL('./child-writer.mjs', import.meta.url))

export async function freshLegacyPath(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'sm-writers-')), 'skill_metrics.json')
}

/** Starts a writer process of the built package; `count` invocations or 'forever'. */
export function startWriter(
  file: string,
  writer: number,
  count: number | 'forever',
): ResultPromise {
  return execa('node', [childWriter, file, String(writer), String(count)], { reject: false })
}

/** The tags of the invocations whose completer returned, as the writer printed them. */
export function returnedTags(stdout: unknown): string[] {
  return String(stdout ?? '')
    .split('\n')
    .filter((line) => /^w\d+-\d+$/.test(line))
}

/** Runs `writers` processes of `perWriter` invocations at once and checks the file after. */
export async function expectConcurrentWritersLoseNothing(writers: number, perWriter: number) {
  const file = await freshLegacyPath()
  const started = performance.now()
  const runs = await Promise.all(
    Array.from({ length: writers }, (_, writer) => startWriter(file, writer, perWriter)),
  )
  console.log(
    `${writers} × ${perWriter} library writers: ${((performance.now() - started) / 1000).toFixed(1)} s`,
  )
  for (const run of runs) expect(run.exitCode, String(run.stderr)).toBe(0)
  const returned = runs.flatMap((run) => returnedTags(run.stdout))
  expect(returned).toHaveLength(writers * perWriter)
  const document = await loadLegacyFile(file)
  expect(document.invocations).toHaveLength(writers * perWriter)
  expect(new Set(document.invocations.map((invocation) => invocation.workflow_path))).toEqual(
    new Set(returned),
  )
  expect(document.invocations.every((invocation) => invocation.duration_seconds !== null)).toBe(
    true,
  )
  expectAggregatesMatchRecords(document.invocations, document.skills, 'concurrent')
}
