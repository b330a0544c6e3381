-- A unit's list page (ORDER BY id DESC LIMIT 50 within one org_id) read from the index alone.
-- The list's total, grade, dates and finding counts lie after `data` in an evaluations row: on
-- SQLite, where a form's JSON spills into overflow pages, reading them walked each row's
-- overflow chain (server CPU per list view of 10 000 forms 256 → 231 µs with this index;
-- docs/BENCHMARKS.md, Web). The index starts like evaluations_org_id, which it replaces.
CREATE INDEX evaluations_org_page ON evaluations (org_id, id, year, project, department, unit,
    status, version, total, grade, error_count, warning_count, created_at, updated_at, total_e4);
DROP INDEX evaluations_org_id;
