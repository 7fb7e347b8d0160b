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
})
