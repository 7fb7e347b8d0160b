// What the reader's tests share with their many-trial variants in the soak suite.
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  BadInputError,
  checkTopLevel,
  type JsonObject,
  type LegacyInvocation,
  parseLegacyInvocation,
  parseSkillAggregate,
} from '@skill-metrics/core'
import { expect } from 'vitest'
import { type LegacyScan, type ScanOptions, scanLegacyFile } from '../legacy-reader.js'
import { parseOrderedJson } from '../ordered-json.js'

export async function tempFile(content: string | Buffer): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'sm-reader-')), 'skill_metrics.json')
  await writeFile(file, content)
  return file
}

export interface Pass {
  /** Records and rejections in the order the callbacks saw them. */
  events: Array<['record', number, LegacyInvocation] | ['invalid', number, string]>
  scan: Omit<LegacyScan, 'fingerprint' | 'modifiedAt' | 'version'> & { fingerprint: unknown }
}

export async function scan(
  file: string,
  options: ScanOptions & { lenient?: boolean } = {},
): Promise<Pass> {
  const events: Pass['events'] = []
  const result = await scanLegacyFile(
    file,
    (record, index) => events.push(['record', index, record]),
    {
      ...options,
      onInvalid: options.lenient
        ? (error, index) => events.push(['invalid', index, error.message])
        : undefined,
    },
  )
  const { modifiedAt: _modifiedAt, version: _version, ...compared } = result
  return { events, scan: compared }
}

/**
 * The previous reader's semantics in a few lines, for files small enough to hold: the whole text
 * decoded strictly and parsed by the ordered parser, then validated record by record.
 */
export function reference(file: string, bytes: Buffer, lenient = false): Pass {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  const root = parseOrderedJson(text)
  const events: Pass['events'] = []
  const invocations = root instanceof Map ? root.get('invocations') : undefined
  let invocationCount = 0
  if (Array.isArray(invocations)) {
    invocations.forEach((value, index) => {
      invocationCount += 1
      try {
        events.push(['record', index, parseLegacyInvocation(value, file, index)])
      } catch (error) {
        if (!lenient) throw error
        events.push(['invalid', index, (error as Error).message])
      }
    })
  }
  const top = checkTopLevel(root, file)
  const skills = new Map(
    [...((top.get('skills') as JsonObject | undefined) ?? [])].map(([key, value]) => [
      key,
      parseSkillAggregate(value, file, key),
    ]),
  )
  const lastUpdated = top.get('last_updated')
  return {
    events,
    scan: {
      exists: true,
      skills,
      last_updated: typeof lastUpdated === 'string' ? lastUpdated : null,
      extra: [...top].filter(([key]) => !['invocations', 'skills', 'last_updated'].includes(key)),
      invocationCount,
      fingerprint: { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') },
    },
  }
}

/** Equal, with the same key order in every object and Map. */
export function expectSame(actual: unknown, expected: unknown, path = '$'): void {
  expect(actual, path).toEqual(expected)
  if (actual instanceof Map && expected instanceof Map) {
    expect([...actual.keys()], `${path} keys`).toEqual([...expected.keys()])
    for (const [key, value] of expected) expectSame(actual.get(key), value, `${path}.${key}`)
  } else if (Array.isArray(actual) && Array.isArray(expected)) {
    expected.forEach((item, index) => {
      expectSame(actual[index], item, `${path}[${index}]`)
    })
  } else if (typeof expected === 'object' && expected !== null && typeof actual === 'object') {
    expect(Object.keys(actual!), `${path} keys`).toEqual(Object.keys(expected))
    for (const [key, value] of Object.entries(expected)) {
      expectSame((actual as Record<string, unknown>)[key], value, `${path}.${key}`)
    }
  }
}

export async function expectLikeReference(file: string, chunkSizes: number[], lenient = false) {
  const expected = reference(file, await readFile(file), lenient)
  for (const chunkBytes of chunkSizes) {
    const actual = await scan(file, { chunkBytes, lenient })
    expectSame(actual, expected, `chunks of ${chunkBytes}`)
  }
}

export async function expectNotJson(
  content: string | Buffer,
  chunkSizes: number[],
  message = /not valid JSON/,
) {
  const file = await tempFile(content)
  for (const chunkBytes of chunkSizes) {
    const error = await scan(file, { chunkBytes }).then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(error, `chunks of ${chunkBytes}`).toBeInstanceOf(BadInputError)
    expect((error as Error).message, `chunks of ${chunkBytes}`).toMatch(message)
  }
}

export const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, at) => from + at)

export const record = (fields: Record<string, unknown> = {}) => ({
  skill_name: 's',
  invoked_at: '2025-01-01T00:00:00',
  workflow_path: null,
  completed: true,
  duration_seconds: 1.5,
  follow_up_actions: [],
  error_type: null,
  ...fields,
})

/** Records whose strings hold everything the byte scanner must not mistake for structure. */
export const TRICKY = [
  record({ skill_name: '{"not": [an, object]}', follow_up_actions: ['}', ']', '{', '['] }),
  record({ skill_name: 'quote " backslash \\ both \\" end \\', error_type: '\\' }),
  record({
    skill_name: 'é 😀 漢字 ünïcödé',
    workflow_path: 'naïve/ßtraße',
    follow_up_actions: ['😀😀😀'],
  }),
  record({ skill_name: 'ends with a brace }', error_type: 'and a bracket ]' }),
  record({ skill_name: '\\"}]{[', workflow_path: '"}', error_type: '\\\\"]' }),
  record({ skill_name: '\u0000\u001f\t\n control \u2028', follow_up_actions: ['\ud800'] }),
  record({ completed: false, duration_seconds: null, follow_up_actions: ['a', 'b', 'c'] }),
]

/** JSON text with non-ASCII kept raw (multi-byte UTF-8) or escaped like Python's ensure_ascii. */
export function trickyFile(ascii: boolean, indent = 2): string {
  const text = JSON.stringify(
    {
      invocations: TRICKY,
      skills: { s: { skill_name: 's', total_invocations: 1 } },
      last_updated: '2025-01-01T00:00:00',
    },
    null,
    indent,
  )
  return ascii
    ? text.replace(
        /[\u007f-\uffff]/g,
        (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
      )
    : text
}

/**
 * Every `every`-th truncation of `text` is refused as not valid JSON, having handed over only
 * records of the whole file. Every length in one read; small chunks, whose boundaries fall
 * everywhere, on a sample of lengths: a read call per byte or seven over every length took a
 * minute on a busy CI.
 */
export async function expectTruncationsRefused(text: string, every: number): Promise<void> {
  const bytes = Buffer.from(text)
  const whole = reference('x', bytes).events.map(([, , value]) => value)
  const file = await tempFile('')
  for (let length = 0; length < bytes.length; length += every) {
    await writeFile(file, bytes.subarray(0, length))
    const sampled = length % 5 === 0 ? [1 + (length % 11)] : []
    for (const chunkBytes of length % 97 === 0 ? [1, ...sampled, 4096] : [...sampled, 4096]) {
      const records: LegacyInvocation[] = []
      const error = await scanLegacyFile(file, (value) => records.push(value), {
        chunkBytes,
      }).then(
        () => undefined,
        (caught: unknown) => caught,
      )
      const where = `${length} bytes in chunks of ${chunkBytes}`
      expect(error, where).toBeInstanceOf(BadInputError)
      expect((error as Error).message, where).toMatch(
        length === 0 ? /empty \(0 bytes\)/ : /not valid JSON/,
      )
      expect(records, where).toEqual(whole.slice(0, records.length))
    }
  }
}
