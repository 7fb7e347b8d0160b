import { EntitySchema } from 'typeorm'

/**
 * The original design's tables as TypeORM entity schemas (no decorators: nothing depends on
 * emitted metadata). The schema itself comes from migrations/, never from `synchronize`.
 * Counter maps and follow-ups are JSON text: PostgreSQL's json keeps key order, jsonb would not.
 */
export interface SkillInvocationRow {
  id: string
  skill_name: string
  invoked_at: string
  workflow_path: string | null
  completed: boolean
  duration_seconds: number | null
  error_type: string | null
  session_id: string | null
  follow_up_actions: string
  schema_version: number
  seq: number | null
  completion_seq: number | null
}

export interface SkillMetricsRow {
  skill_name: string
  total_invocations: number
  completed_invocations: number
  abandoned_invocations: number
  total_duration_seconds: number
  workflow_paths: string
  common_errors: string
  follow_up_actions: string
  first_invoked: string | null
  last_invoked: string | null
  completion_rate: number | null
  avg_duration_seconds: number | null
  p50_duration_seconds: number | null
  p95_duration_seconds: number | null
  p99_duration_seconds: number | null
  position: number | null
  last_completion_seq: number | null
}

export const SkillInvocationEntity = new EntitySchema<SkillInvocationRow>({
  name: 'SkillInvocation',
  tableName: 'skill_invocation',
  columns: {
    id: { type: String, primary: true },
    skill_name: { type: String },
    invoked_at: { type: String },
    workflow_path: { type: String, nullable: true },
    completed: { type: Boolean },
    duration_seconds: { type: Number, nullable: true },
    error_type: { type: String, nullable: true },
    session_id: { type: String, nullable: true },
    follow_up_actions: { type: String },
    schema_version: { type: Number },
    seq: { type: Number, nullable: true },
    completion_seq: { type: Number, nullable: true },
  },
})

export const SkillMetricsEntity = new EntitySchema<SkillMetricsRow>({
  name: 'SkillMetrics',
  tableName: 'skill_metrics',
  columns: {
    skill_name: { type: String, primary: true },
    total_invocations: { type: Number },
    completed_invocations: { type: Number },
    abandoned_invocations: { type: Number },
    total_duration_seconds: { type: Number },
    workflow_paths: { type: String },
    common_errors: { type: String },
    follow_up_actions: { type: String },
    first_invoked: { type: String, nullable: true },
    last_invoked: { type: String, nullable: true },
    completion_rate: { type: Number, nullable: true },
    avg_duration_seconds: { type: Number, nullable: true },
    p50_duration_seconds: { type: Number, nullable: true },
    p95_duration_seconds: { type: Number, nullable: true },
    p99_duration_seconds: { type: Number, nullable: true },
    position: { type: Number, nullable: true },
    last_completion_seq: { type: Number, nullable: true },
  },
})

export const SessionEntity = new EntitySchema<{ id: string }>({
  name: 'Session',
  tableName: 'sessions',
  columns: { id: { type: String, primary: true } },
})

export const STORE_ENTITIES = [SkillInvocationEntity, SkillMetricsEntity, SessionEntity]
