-- V1__initial_schema.sql
-- The original design's tables and column names, without its defects: no percentile columns
-- (V2 adds them), a real sessions table for the foreign keys to reference, no BEGIN/COMMIT and no
-- history row of its own (the runner owns both), and no aggregate triggers (the store owns all
-- aggregate maths; two owners would count twice).
-- Timestamps are the legacy file's naive ISO-8601 text, kept exactly as written.

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    created_at TIMESTAMP NOT NULL DEFAULT (datetime('now'))
);

CREATE TABLE skill_invocation (
    id TEXT PRIMARY KEY,
    skill_name TEXT NOT NULL,
    invoked_at TIMESTAMP NOT NULL DEFAULT (datetime('now')),
    workflow_path TEXT,
    completed BOOLEAN NOT NULL DEFAULT 0,
    duration_seconds REAL,
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
    total_duration_seconds REAL NOT NULL DEFAULT 0.0,
    min_duration_seconds REAL,
    max_duration_seconds REAL,
    workflow_paths JSON NOT NULL DEFAULT '{}',
    common_errors JSON NOT NULL DEFAULT '{}',
    follow_up_actions JSON NOT NULL DEFAULT '{}',
    first_invoked TIMESTAMP,
    last_invoked TIMESTAMP,
    completion_rate REAL,
    avg_duration_seconds REAL,
    schema_version INTEGER NOT NULL DEFAULT 1,
    last_aggregated_at TIMESTAMP DEFAULT (datetime('now'))
);

CREATE TABLE session_skill (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    skill_name TEXT NOT NULL,
    invocation_count INTEGER NOT NULL DEFAULT 1,
    first_invoked_at TIMESTAMP NOT NULL,
    last_invoked_at TIMESTAMP NOT NULL,
    total_duration_seconds REAL NOT NULL DEFAULT 0.0,
    FOREIGN KEY (session_id) REFERENCES sessions(id) ON DELETE CASCADE,
    FOREIGN KEY (skill_name) REFERENCES skill_metrics(skill_name) ON DELETE CASCADE,
    UNIQUE(session_id, skill_name)
);

CREATE INDEX idx_session_skill_session_id ON session_skill(session_id);
CREATE INDEX idx_session_skill_skill_name ON session_skill(skill_name);

CREATE TABLE skill_metrics_summary (
    refresh_time TIMESTAMP PRIMARY KEY,
    total_skills INTEGER NOT NULL,
    total_invocations INTEGER NOT NULL,
    overall_completion_rate REAL NOT NULL,
    most_used_skill TEXT,
    most_used_count INTEGER NOT NULL,
    avg_duration_seconds REAL NOT NULL,
    top_error_types JSON,
    top_workflow_paths JSON
);

-- Rollback migration
-- DROP TABLE IF EXISTS skill_metrics_summary;
-- DROP TABLE IF EXISTS session_skill;
-- DROP TABLE IF EXISTS skill_metrics;
-- DROP TABLE IF EXISTS skill_invocation;
-- DROP TABLE IF EXISTS sessions;
