-- Jixiao schema, SQLite. Money and scores live inside `data` (the form as canonical JSON,
-- decimals as strings) and `total` (canonical decimal text): never as floating point.
CREATE TABLE orgs (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES orgs(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('finance', 'department', 'unit'))
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('filler', 'reviewer', 'finance', 'admin')),
    org_id INTEGER REFERENCES orgs(id),
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    expiry INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expiry);

CREATE TABLE login_failures (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (key, at);

CREATE TABLE evaluations (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES orgs(id),
    year INTEGER,
    project TEXT,
    department TEXT,
    unit TEXT,
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    total TEXT,
    grade TEXT,
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL,
    updated_by INTEGER REFERENCES users(id),
    updated_at INTEGER NOT NULL
);
CREATE INDEX evaluations_org ON evaluations (org_id, year, status);
CREATE INDEX evaluations_status ON evaluations (status, year);

CREATE TABLE evaluation_history (
    id INTEGER PRIMARY KEY,
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
    version INTEGER NOT NULL,
    action TEXT NOT NULL,
    status TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    at INTEGER NOT NULL,
    reason TEXT,
    data TEXT NOT NULL
);
CREATE INDEX evaluation_history_eval ON evaluation_history (evaluation_id, version);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    evaluation_id INTEGER NOT NULL REFERENCES evaluations(id),
    indicator INTEGER,
    author_id INTEGER NOT NULL REFERENCES users(id),
    at INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX comments_eval ON comments (evaluation_id);

CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT
);
