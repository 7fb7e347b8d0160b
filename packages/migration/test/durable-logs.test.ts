import { chmod, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ExitCode, WriteFailedError } from '@skill-metrics/core'
import { installWriteFault } from '@skill-metrics/testing/inject-write-faults'
import { describe, expect, it } from 'vitest'
import { mismatchLogPathOf, recordMismatch } from '../src/trackers/dual-read-mismatches.js'
import { missLogPathOf, recordMiss } from '../src/trackers/dual-write-misses.js'

const miss = {
  at: '2026-11-30T00:00:00.000Z',
  invocation_id: 'id',
  operation: 'start' as const,
  error: 'database is locked',
}
const mismatch = {
  at: '2026-11-30T00:00:00.000Z',
  read: 'getSummary' as const,
  subject: null,
  kind: 'error' as const,
  json: null,
  db: null,
  error: 'database is locked',
}

describe.each([
  ['dual-write misses', missLogPathOf, (file: string) => recordMiss(file, miss)],
  ['dual-read mismatches', mismatchLogPathOf, (file: string) => recordMismatch(file, mismatch)],
])('the %s log', (_name, logPathOf, append) => {
  it("is created with the legacy file's mode; a short append is cut back, exit 4", async () => {
    const jsonFile = join(await mkdtemp(join(tmpdir(), 'sm-logs-')), 'skill_metrics.json')
    await writeFile(jsonFile, '{}')
    await chmod(jsonFile, 0o600)
    await append(jsonFile)
    const log = logPathOf(jsonFile)
    expect((await stat(log)).mode & 0o777).toBe(0o600)
    const before = await readFile(log)
    const remove = installWriteFault({
      path: `${log.split('/').at(-1)!.replace(/\./g, '\\.')}$`,
      fault: 'short',
    })
    const error = await append(jsonFile).catch((caught: unknown) => caught)
    expect(remove()).toBeGreaterThan(0)
    expect(error).toBeInstanceOf(WriteFailedError)
    expect((error as WriteFailedError).exitCode).toBe(ExitCode.refused)
    expect((error as Error).message).toContain(log)
    expect(await readFile(log)).toEqual(before)
    await append(jsonFile)
    expect((await readFile(log, 'utf8')).trim().split('\n')).toHaveLength(2)
  })
})
