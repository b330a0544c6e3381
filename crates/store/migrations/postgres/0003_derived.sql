-- What the pages need without running the engine or decoding stored forms (DESIGN.md §6,
-- docs/BENCHMARKS.md, Web): the engine's verdict kept with each saved version, the finding
-- codes per form for filters and the dashboard, the diff of each history entry, the session's
-- user for a one-query session lookup, and each organisation's path for scope checks.

-- Each organisation's ancestors and itself, `/1/2/3/`: "under department 2" is a prefix test.
ALTER TABLE orgs ADD COLUMN path TEXT;
WITH RECURSIVE p(id, path) AS (
    SELECT id, '/' || CAST(id AS TEXT) || '/' FROM orgs WHERE parent_id IS NULL
    UNION ALL
    SELECT o.id, p.path || CAST(o.id AS TEXT) || '/' FROM orgs o JOIN p ON o.parent_id = p.id
)
UPDATE orgs SET path = (SELECT p.path FROM p WHERE p.id = orgs.id);

-- 停用: a disabled user cannot log in, and their sessions stop working.
ALTER TABLE users ADD COLUMN disabled BIGINT NOT NULL DEFAULT 0;

-- The logged-in user of a session, so that loading a session and its user is one query.
ALTER TABLE sessions ADD COLUMN user_id BIGINT;

-- The engine's verdict on the current version: counts of errors and warnings, the total as an
-- exact scaled integer (total × 10 000) for sorting, and `derived`, the web tier's view of
-- the assessment (computed scores and findings, JSON) with the profile it was computed with.
ALTER TABLE evaluations ADD COLUMN error_count BIGINT;
ALTER TABLE evaluations ADD COLUMN warning_count BIGINT;
ALTER TABLE evaluations ADD COLUMN total_e4 BIGINT;
ALTER TABLE evaluations ADD COLUMN derived TEXT;
ALTER TABLE evaluations ADD COLUMN derived_profile TEXT;

-- Finding codes of each form's current version (n: how many times).
CREATE TABLE evaluation_findings (
    evaluation_id BIGINT NOT NULL REFERENCES evaluations(id),
    code TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (evaluation_id, code)
);
CREATE INDEX evaluation_findings_code ON evaluation_findings (code, evaluation_id);

-- What changed in each history entry (JSON array of lines), computed once at save time.
ALTER TABLE evaluation_history ADD COLUMN changes TEXT;

-- Sorting a scope by a column stops after one page when an index leads with the scope.
CREATE INDEX evaluations_org_updated ON evaluations (org_id, updated_at);
CREATE INDEX evaluations_org_total ON evaluations (org_id, total_e4);
CREATE INDEX evaluations_org_grade ON evaluations (org_id, grade);

-- Counts of forms by organisation, year, status and grade (0 and '' stand for none), kept in
-- the same transaction as every write: the list header and the dashboard add up a few rows
-- instead of counting every form of the scope on each view.
CREATE TABLE evaluation_counts (
    org_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    status TEXT NOT NULL,
    grade TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (org_id, year, status, grade)
);
INSERT INTO evaluation_counts (org_id, year, status, grade, n)
SELECT org_id, COALESCE(year, 0), status, COALESCE(grade, ''), COUNT(*)
FROM evaluations GROUP BY org_id, COALESCE(year, 0), status, COALESCE(grade, '');
