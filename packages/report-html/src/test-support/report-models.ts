import type { ReportDay, ReportModel, ReportSkill } from '@skill-metrics/core'

export const HOSTILE_NAME = `<script>alert("x")</script> & 'quotes' {a|b}`

export const EMPTY_MODEL: ReportModel = {
  title: '/tmp/empty.json',
  generatedAt: '2026-01-02T03:04:05.000Z',
  source: 'json',
  totals: { invocations: 0, completed: 0, abandoned: 0, skills: 0 },
  skills: [],
  perDay: [],
  workflowPaths: [],
  followUpActions: [],
  migration: null,
}

/** A skill whose numbers follow from its index, so that two calls build equal models. */
function skillAt(index: number, name = `skill-${index}`): ReportSkill {
  const completed = 40 + index * 7
  const abandoned = index % 5
  const invocations = completed + abandoned
  const timed = index % 6 !== 5
  return {
    name,
    invocations,
    completed,
    abandoned,
    completionRate: (completed / invocations) * 100,
    p50: timed ? 1.25 + index / 3 : null,
    p95: timed ? 4.5 + index : null,
    p99: timed ? 9.875 + index * 1.5 : null,
    errors: abandoned === 0 ? [] : [[`Timeout<${index}>`, abandoned]],
  }
}

/** `days` consecutive days from 2016-01-01, but every tenth one missing to leave gaps. */
function daysFrom(count: number): ReportDay[] {
  const start = Date.UTC(2016, 0, 1)
  const days: ReportDay[] = []
  for (let index = 0; index < count; index += 1) {
    if (index % 10 === 9) continue
    days.push({
      day: new Date(start + index * 86_400_000).toISOString().slice(0, 10),
      completed: (index * 37) % 50,
      abandoned: index % 4,
    })
  }
  return days
}

export function sampleModel({
  skillCount = 4,
  dayCount = 30,
  firstSkillName,
}: {
  skillCount?: number
  dayCount?: number
  firstSkillName?: string
} = {}): ReportModel {
  const skills = Array.from({ length: skillCount }, (_, index) =>
    skillAt(index, index === 0 ? firstSkillName : undefined),
  )
  const sum = (of: (skill: ReportSkill) => number) =>
    skills.reduce((total, skill) => total + of(skill), 0)
  return {
    title: '/home/dev/.claude/skill-metrics.json',
    generatedAt: '2026-01-02T03:04:05.000Z',
    source: 'json',
    totals: {
      invocations: sum((skill) => skill.invocations),
      completed: sum((skill) => skill.completed),
      abandoned: sum((skill) => skill.abandoned),
      skills: skills.length,
    },
    skills,
    perDay: daysFrom(dayCount),
    workflowPaths: Array.from({ length: 15 }, (_, index) => [
      `plan -> edit -> test #${index}`,
      200 - index * 11,
    ]),
    followUpActions: Array.from({ length: 15 }, (_, index) => [
      `follow-up ${index}`,
      90 - index * 5,
    ]),
    migration: {
      phase: 'dual-write',
      epoch: 3,
      history: [
        {
          at: '2025-12-01T10:00:00Z',
          from: 'legacy',
          to: 'copy',
          actor: 'dev@example',
          forced: false,
          reason: null,
        },
        {
          at: '2025-12-02T11:00:00Z',
          from: 'copy',
          to: 'dual-write',
          actor: null,
          forced: true,
          reason: 'validation <flaky> & retried',
        },
      ],
      validations: [
        { at: '2025-12-03T09:00:00Z', kind: 'full', clean: false, summary: '2 skills differ' },
        { at: '2025-12-02T12:00:00Z', kind: 'sample', clean: true, summary: 'all equal' },
      ],
      dualWriteMisses: 4,
      dualReadMismatches: 1,
      foreignWrites: [{ detectedAt: '2025-12-03T08:00:00Z', modifiedAt: null }],
      backups: ['/home/dev/.claude/skill-metrics.json.bak-1'],
      archive: null,
    },
  }
}
