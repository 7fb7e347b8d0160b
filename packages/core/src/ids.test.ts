import { v5 } from 'uuid'
import { describe, expect, it } from 'vitest'
import { INVOCATION_ID_NAMESPACE, InvocationIdAssigner, invocationId } from './ids.js'

describe('invocation ids', () => {
  it('are stable uuid v5 values of the record identity', () => {
    expect(invocationId('review', '2025-03-01T08:00:00', 'full', 0)).toBe(
      invocationId('review', '2025-03-01T08:00:00', 'full', 0),
    )
    expect(invocationId('review', '2025-03-01T08:00:00', 'full', 0)).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    )
  })

  it('tell null and empty paths apart', () => {
    expect(invocationId('s', 't', null, 0)).not.toBe(invocationId('s', 't', '', 0))
  })

  it('count occurrences of the same triple in file order', () => {
    const assigner = new InvocationIdAssigner()
    const record = { skill_name: 's', invoked_at: '2025-01-01T00:00:00', workflow_path: 'p' }
    const first = assigner.next(record)
    const other = assigner.next({ ...record, workflow_path: null })
    const second = assigner.next(record)
    expect(first).toBe(invocationId('s', '2025-01-01T00:00:00', 'p', 0))
    expect(second).toBe(invocationId('s', '2025-01-01T00:00:00', 'p', 1))
    expect(other).toBe(invocationId('s', '2025-01-01T00:00:00', null, 0))
  })

  it('never change: the namespace is fixed forever', () => {
    expect(invocationId('review', '2025-03-01T08:00:00', 'full', 0)).toMatchInlineSnapshot(
      `"fec67b5c-bc72-587c-b652-48b6309487fc"`,
    )
  })

  it("are the uuid package's v5 of the same name, for any text", () => {
    const names = ['review', 'with "quote"', 'naïve ✓', 'emoji 🎉', 'x'.repeat(5_000), '', '\u0000']
    for (const [index, name] of names.entries()) {
      for (const path of [null, '', 'full']) {
        expect(invocationId(name, '2025-03-01T08:00:00.000001', path, index)).toBe(
          v5(
            JSON.stringify([name, '2025-03-01T08:00:00.000001', path, index]),
            INVOCATION_ID_NAMESPACE,
          ),
        )
      }
    }
  })

  it('count occurrences exactly across 50,000 records with repeats, as a plain map would', () => {
    const assigner = new InvocationIdAssigner()
    const seen = new Map<string, number>()
    let repeats = 0
    for (let index = 0; index < 50_000; index += 1) {
      // 20,011 triples, each back two or three times, far apart, while the table grows.
      const triple = index % 20_011
      const record = {
        skill_name: `skill-${triple % 7}`,
        invoked_at: `2025-01-01T00:00:${String(triple).padStart(6, '0')}`,
        workflow_path: triple % 3 === 0 ? null : 'quick',
      }
      const key = JSON.stringify(record)
      const occurrence = seen.get(key) ?? 0
      seen.set(key, occurrence + 1)
      repeats += occurrence > 0 ? 1 : 0
      expect(assigner.next(record)).toBe(
        invocationId(record.skill_name, record.invoked_at, record.workflow_path, occurrence),
      )
    }
    expect(repeats).toBe(50_000 - 20_011)
  })
})
