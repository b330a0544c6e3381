-- Jixiao schema, PostgreSQL. Money and scores live inside `data` (the form as canonical JSON,
-- decimals as strings) and `total` (canonical decimal text): never as floating point.
CREATE TABLE orgs (
    id BIGSERIAL PRIMARY KEY,
    parent_id BIGINT REFERENCES orgs(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('finance', 'department', 'unit'))
);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('filler', 'reviewer', 'finance', 'admin')),
    org_id BIGINT REFERENCES orgs(id),
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expiry BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

CREATE TABLE login_failures (
    id BIGSERIAL PRIMARY KEY,
    key TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE evaluations (
    id BIGSERIAL PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    year BIGINT,
    project TEXT,
    department TEXT,
    unit TEXT,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    data TEXT NOT NULL,
    total TEXT,
    grade TEXT,
    created_by BIGINT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_by BIGINT REFERENCES users(id),
    updated_at BIGINT NOT NULL
);
CREATE INDEX evaluations_org ON evaluations (org_id, year, status);
CREATE INDEX evaluations_status ON evaluations (status, year);

CREATE TABLE evaluation_history (
    id BIGSERIAL PRIMARY KEY,
    evaluation_id BIGINT NOT NULL REFERENCES evaluations(id),
    version BIGINT NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    at BIGINT NOT NULL,
    reason TEXT,
    data TEXT NOT NULL
);
CREATE INDEX evaluation_history_eval ON evaluation_history (evaluation_id, version);

CREATE TABLE comments (
    id BIGSERIAL PRIMARY KEY,
    evaluation_id BIGINT NOT NULL REFERENCES evaluations(id),
    indicator BIGINT,
    author_id BIGINT NOT NULL REFERENCES users(id),
    at BIGINT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX comments_eval ON comments (evaluation_id);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_id BIGINT REFERENCES users(id),
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT
);
