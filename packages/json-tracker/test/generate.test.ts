import { readFile, stat } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { expectAggregatesMatchRecords } from '@skill-metrics/testing/legacy-checks'
import { execa } from 'execa'
import { describe, expect, it } from 'vitest'
import { generateLegacyFile } from '../src/generate.js'
import { loadLegacyFile } from '../src/json-tracker.js'
import { freshLegacyPath } from './writers.js'

const readMetricsChild = fileURLToPath(new URL('./read-metrics-child.mjs', import.meta.url))

describe('generateLegacyFile', () => {
  it('is deterministic for a seed and its aggregates equal its records', async () => {
    const [a, b, c] = await Promise.all([freshLegacyPath(), freshLegacyPath(), freshLegacyPath()])
    const result = await generateLegacyFile(a, { invocations: 2_000, skills: 12, seed: 7 })
    await generateLegacyFile(b, { invocations: 2_000, skills: 12, seed: 7 })
    await generateLegacyFile(c, { invocations: 2_000, skills: 12, seed: 8 })
    expect(await readFile(a)).toEqual(await readFile(b))
    expect(await readFile(a)).not.toEqual(await readFile(c))
    const document = await loadLegacyFile(a)
    expect(document.invocations).toHaveLength(2_000)
    expect(result.completed + result.abandoned + result.pending).toBe(2_000)
    expect(result.pending).toBeGreaterThan(0)
    expect(result.abandoned).toBeGreaterThan(0)
    expect(document.invocations.some((invocation) => invocation.workflow_path === '')).toBe(true)
    expect(document.invocations.some((invocation) => invocation.workflow_path === null)).toBe(true)
    expect(document.invocations.some((invocation) => !invocation.invoked_at.includes('.'))).toBe(
      true,
    )
    expect(document.invocations.some((invocation) => invocation.invoked_at.includes('.'))).toBe(
      true,
    )
    expectAggregatesMatchRecords(document.invocations, document.skills, 'file')
  })
})

describe('reading metrics of a large file', () => {
  it('needs far less memory than the file: it streams', async () => {
    const file = await freshLegacyPath()
    await generateLegacyFile(file, { invocations: 200_000 })
    const { size } = await stat(file)
    // A 40 MiB heap cannot even hold the file's text, let alone its parsed records.
    expect(size).toBeGreaterThan(45 * 2 ** 20)
    const run = await execa('node', ['--max-old-space-size=40', readMetricsChild, file])
    expect(JSON.parse(run.stdout)).toMatchObject({ skills: 20 })
    const capped = await execa(
      'node',
      [
        '--max-old-space-size=40',
        '-e',
        `JSON.parse(require('fs').readFileSync(${JSON.stringify(file)}, 'utf8'))`,
      ],
      { reject: false },
    )
    expect(
      capped.exitCode,
      'the cap must be too small for JSON.parse, or this test proves nothing',
    ).not.toBe(0)
  })
})
