-- Lists are newest first (ORDER BY id DESC LIMIT n): with (org_id, id) and (status, id) the
-- database walks an index backwards and stops after n rows, instead of sorting every form of
-- the scope (60 ms for 10 000 forms on SQLite; see docs/BENCHMARKS.md, Web).
CREATE INDEX evaluations_org_id ON evaluations (org_id, id);
CREATE INDEX evaluations_status_id ON evaluations (status, id);
