-- V1__initial_schema.sql
-- The original design's tables and column names, without its defects: no percentile columns
-- (V2 adds them), a real sessions table for the foreign keys to reference, no BEGIN/COMMIT and no
-- history row of its own (the runner owns both), and no aggregate triggers (the store owns all
-- aggregate maths; two owners would count twice).
-- PostgreSQL's form of the shared V1: timestamps that come from the legacy file are its naive
-- ISO-8601 text, kept exactly as written (a TIMESTAMP column would print them differently); JSON
-- columns are json, not jsonb, which would re-sort the counters' keys; durations are DOUBLE
-- PRECISION (REAL is single precision here).

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE skill_invocation (
    id TEXT PRIMARY KEY,
    skill_name TEXT NOT NULL,
    invoked_at TEXT NOT NULL,
    workflow_path TEXT,
    completed BOOLEAN NOT NULL DEFAULT FALSE,
    duration_seconds DOUBLE PRECISION,
    error_type TEXT,
    session_id TEXT,
    follow_up_actions JSON,
    schema_version INTEGER NOT NULL DEFAULT 1,
    project_path TEXT,
    user_context JSON,
    FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE SET NULL
);

CREATE INDEX idx_skill_invocation_skill_name ON skill_invocation(skill_name);
CREATE INDEX idx_skill_invocation_invoked_at ON skill_invocation(invoked_at DESC);
CREATE INDEX idx_skill_invocation_session_id ON skill_invocation(session_id);
CREATE INDEX idx_skill_invocation_completed ON skill_invocation(completed);
CREATE INDEX idx_skill_invocation_skill_time ON skill_invocation(skill_name, invoked_at DESC);

CREATE TABLE skill_metrics (
    skill_name TEXT PRIMARY KEY,
    total_invocations INTEGER NOT NULL DEFAULT 0,
    completed_invocations INTEGER NOT NULL DEFAULT 0,
    abandoned_invocations INTEGER NOT NULL DEFAULT 0,
    total_duration_seconds DOUBLE PRECISION NOT NULL DEFAULT 0.0,
    min_duration_seconds DOUBLE PRECISION,
    max_duration_seconds DOUBLE PRECISION,
    workflow_paths JSON NOT NULL DEFAULT '{}',
    common_errors JSON NOT NULL DEFAULT '{}',
    follow_up_actions JSON NOT NULL DEFAULT '{}',
    first_invoked TEXT,
    last_invoked TEXT,
    completion_rate DOUBLE PRECISION,
    avg_duration_seconds DOUBLE PRECISION,
    schema_version INTEGER NOT NULL DEFAULT 1,
    last_aggregated_at TIMESTAMPTZ DEFAULT now()
);

CREATE TABLE session_skill (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    skill_name TEXT NOT NULL,
    invocation_count INTEGER NOT NULL DEFAULT 1,
    first_invoked_at TEXT NOT NULL,
    last_invoked_at TEXT NOT NULL,
    total_duration_seconds DOUBLE PRECISION NOT NULL DEFAULT 0.0,
    FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE CASCADE,
    FOREIGN KEY (skill_name) REFERENCES skill_metrics(skill_name) ON DELETE CASCADE,
    UNIQUE(session_id, skill_name)
);

CREATE INDEX idx_session_skill_session_id ON session_skill(session_id);
CREATE INDEX idx_session_skill_skill_name ON session_skill(skill_name);

CREATE TABLE skill_metrics_summary (
    refresh_time TIMESTAMPTZ PRIMARY KEY,
    total_skills INTEGER NOT NULL,
    total_invocations INTEGER NOT NULL,
    overall_completion_rate DOUBLE PRECISION NOT NULL,
    most_used_skill TEXT,
    most_used_count INTEGER NOT NULL,
    avg_duration_seconds DOUBLE PRECISION NOT NULL,
    top_error_types JSON,
    top_workflow_paths JSON
);

-- Rollback migration
-- DROP TABLE IF EXISTS skill_metrics_summary;
-- DROP TABLE IF EXISTS session_skill;
-- DROP TABLE IF EXISTS skill_metrics;
-- DROP TABLE IF EXISTS skill_invocation;
-- DROP TABLE IF EXISTS sessions;
