import { describe, expect, it } from 'vitest'
import {
  aggregatesMatchRecords,
  judgeRefusals,
  lostOrDoubled,
  type Refusal,
  sameInvocations,
} from './invariants.js'
import type { Invocation, StoreContent } from './stores.js'

const record = (path: string, completed = true): Invocation => ({
  skill_name: 'review',
  invoked_at: '2026-01-01T00:00:00',
  workflow_path: path,
  completed,
  duration_seconds: 1.5,
  error_type: null,
  follow_up_actions: ['commit'],
})

const store = (invocations: Invocation[]): StoreContent => ({
  invocations,
  skills: new Map([
    [
      'review',
      {
        total_invocations: invocations.length,
        completed_invocations: invocations.filter((invocation) => invocation.completed).length,
        abandoned_invocations: invocations.filter((invocation) => !invocation.completed).length,
        total_duration_seconds:
          1.5 * invocations.filter((invocation) => invocation.completed).length,
        workflow_paths: Object.fromEntries(
          invocations.map((invocation) => [invocation.workflow_path, 1]),
        ),
        common_errors: {},
        follow_up_actions: { commit: invocations.length },
      },
    ],
  ]),
})

describe('the harness’s own invariant checks', () => {
  it('name a returned invocation that is missing, and one counted twice', () => {
    const truth = store([record('a'), record('b'), record('b')])
    expect(lostOrDoubled(['a', 'b', 'c'], truth, 'the file')).toEqual([
      { invariant: 'no double count', detail: 'b is in the file 2 times' },
      {
        invariant: 'no lost invocation',
        detail: 'c returned to its writer but is not in the file',
      },
    ])
  })

  it('name a returned invocation left pending, and look only for double counts when asked', () => {
    const pending = { ...record('b'), duration_seconds: null }
    const truth = store([record('a'), record('a'), pending])
    expect(lostOrDoubled(['a', 'b', 'c'], truth, 'the file')).toEqual([
      { invariant: 'no double count', detail: 'a is in the file 2 times' },
      {
        invariant: 'no lost completion',
        detail: 'b returned to its writer completed but is pending in the file',
      },
      {
        invariant: 'no lost invocation',
        detail: 'c returned to its writer but is not in the file',
      },
    ])
    expect(lostOrDoubled(['a', 'b', 'c'], truth, 'the file', { lost: false })).toEqual([
      { invariant: 'no double count', detail: 'a is in the file 2 times' },
    ])
    expect(
      lostOrDoubled(['c'], truth, 'the file', { returnedTo: 'saved by the foreign writer' }),
    ).toEqual([
      {
        invariant: 'no lost invocation',
        detail: 'c saved by the foreign writer but is not in the file',
      },
    ])
  })

  it('find aggregates that differ from the records', () => {
    const content = store([record('a'), record('b', false)])
    expect(aggregatesMatchRecords(content, 'the file')).toEqual([])
    content.skills.get('review')!.total_invocations += 1
    expect(aggregatesMatchRecords(content, 'the file')[0]!.detail).toBe(
      'skill review in the file: total_invocations 3 ≠ 2 recomputed',
    )
  })

  it('name the first invocation the database lacks, and count its extras', () => {
    const file = store([record('a'), record('b')])
    expect(sameInvocations(file, store([record('b'), record('c')]))).toEqual([
      {
        invariant: 'the database holds every invocation of the file',
        detail:
          'invocation 0 of the file (review at 2026-01-01T00:00:00, path "a") is missing from the database',
      },
      {
        invariant: 'the database holds every invocation of the file',
        detail: 'the database holds 1 invocation(s) the file does not',
      },
    ])
    expect(sameInvocations(file, store([record('a')]), 1)).toEqual([])
  })

  it('count a refusal while the disk was full, and name any other as an error', () => {
    const refusal = (tag: string, startedAt: number, endedAt: number, detail: string): Refusal => ({
      tag,
      startedAt,
      endedAt,
      detail,
    })
    const noSpace = 'exited 4: no space left on /tmp/x (ENOSPC) writing /tmp/x/f.json'
    const refusals = [
      refusal('before', 100, 190, 'exited 4: lock not taken within 30 s'),
      refusal('across the start', 150, 250, noSpace),
      refusal('within', 300, 400, noSpace),
      refusal('wrong cause', 300, 400, 'exited 4: lock not taken within 30 s'),
      refusal('across the end', 900, 1100, noSpace),
      refusal('after', 1001, 1100, noSpace),
    ]
    const judged = judgeRefusals(refusals, { from: 200, to: 1000 })
    expect(judged.during.map((each) => each.tag)).toEqual([
      'across the start',
      'within',
      'wrong cause',
      'across the end',
    ])
    expect(judged.violations).toEqual([
      { invariant: 'no writer gets an error', detail: 'exited 4: lock not taken within 30 s' },
      {
        invariant: 'a full disk refuses with "no space left"',
        detail: 'exited 4: lock not taken within 30 s',
      },
      { invariant: 'no writer gets an error', detail: noSpace },
    ])
    // Still full (no end yet), and without --disk-full every refusal is an error.
    expect(judgeRefusals(refusals.slice(5), { from: 200 }).violations).toEqual([])
    expect(judgeRefusals(refusals, undefined).violations).toHaveLength(6)
  })
})
