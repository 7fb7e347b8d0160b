import { describe, expect, it } from 'vitest'
import { applyCompletion, newSkillAggregate } from './aggregates.js'
import type { LegacyInvocation, SkillAggregate } from './legacy.js'
import { formatFixed1, renderReport, summarize } from './summary.js'

const invocation = (overrides: Partial<LegacyInvocation>): LegacyInvocation => ({
  skill_name: 'review',
  invoked_at: '2025-01-01T10:00:00',
  workflow_path: null,
  completed: true,
  duration_seconds: 1,
  follow_up_actions: [],
  error_type: null,
  ...overrides,
})

describe('formatFixed1 rounds like Python format(x, ".1f")', () => {
  it.each([
    [12.25, '12.2'],
    [0.25, '0.2'],
    [0.35, '0.3'],
    [0.45, '0.5'],
    [2.675, '2.7'],
    [81.37931034482759, '81.4'],
    [100, '100.0'],
    [0, '0.0'],
    [-0.04, '-0.0'],
    [-1.25, '-1.2'],
    [9.95, '9.9'],
    [99.95, '100.0'],
    [1e-7, '0.0'],
    [123456789.05, '123456789.0'],
  ])('%d → %s', (value, expected) => {
    expect(formatFixed1(value)).toBe(expected)
  })
})

describe('aggregates follow the original completer', () => {
  it('adds a duration only when it is truthy and counts abandoned separately', () => {
    const skills = new Map<string, SkillAggregate>()
    applyCompletion(skills, invocation({ duration_seconds: 0 }))
    applyCompletion(
      skills,
      invocation({ duration_seconds: -2.5, invoked_at: '2025-01-01T09:00:00' }),
    )
    applyCompletion(skills, invocation({ completed: false, duration_seconds: 4, error_type: 'E' }))
    const review = skills.get('review')!
    expect(review.total_invocations).toBe(3)
    expect(review.completed_invocations).toBe(2)
    expect(review.abandoned_invocations).toBe(1)
    expect(review.total_duration_seconds).toBe(-2.5)
    expect([...review.common_errors]).toEqual([['E', 1]])
  })

  it('sets first/last invoked in completion order, not by time', () => {
    const skills = new Map<string, SkillAggregate>()
    applyCompletion(skills, invocation({ invoked_at: '2025-01-02T00:00:00' }))
    applyCompletion(skills, invocation({ invoked_at: '2025-01-01T00:00:00' }))
    expect(skills.get('review')!.first_invoked).toBe('2025-01-02T00:00:00')
    expect(skills.get('review')!.last_invoked).toBe('2025-01-01T00:00:00')
  })

  it('counts duplicate follow-ups and ignores empty paths and errors', () => {
    const skills = new Map<string, SkillAggregate>()
    applyCompletion(
      skills,
      invocation({ follow_up_actions: ['a', 'a', 'b'], workflow_path: '', error_type: '' }),
    )
    const review = skills.get('review')!
    expect([...review.follow_up_actions]).toEqual([
      ['a', 2],
      ['b', 1],
    ])
    expect(review.workflow_paths.size).toBe(0)
    expect(review.common_errors.size).toBe(0)
  })
})

describe('summary', () => {
  it('is exactly the five keys with no skills', () => {
    expect(summarize(new Map())).toStrictEqual({
      total_skills: 0,
      total_invocations: 0,
      overall_completion_rate: 0,
      most_used_skill: null,
      avg_duration_seconds: 0,
    })
  })

  it('breaks ties by first appearance, for the most used skill and the usage order', () => {
    const skills = new Map<string, SkillAggregate>()
    for (const name of ['b', 'a', 'c']) {
      const aggregate = newSkillAggregate(name, null)
      aggregate.total_invocations = name === 'c' ? 1 : 5
      skills.set(name, aggregate)
    }
    const summary = summarize(skills)
    expect(summary.most_used_skill).toBe('b')
    expect('skills_by_usage' in summary && summary.skills_by_usage).toEqual([
      ['b', 5],
      ['a', 5],
      ['c', 1],
    ])
  })

  it('reports a skill without paths by skipping it, not replacing it', () => {
    const skills = new Map<string, SkillAggregate>()
    applyCompletion(skills, invocation({ skill_name: 'x', workflow_path: null }))
    applyCompletion(skills, invocation({ skill_name: 'x', workflow_path: null }))
    applyCompletion(skills, invocation({ skill_name: 'y', workflow_path: 'p' }))
    const report = renderReport(skills)
    expect(report).toContain('Workflow Path Preferences:\n  y:\n    p: 1 uses\n\nCommon')
    expect(report.endsWith(`\n\n${'='.repeat(60)}`)).toBe(true)
  })
})
