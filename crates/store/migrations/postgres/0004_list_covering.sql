-- Nothing on PostgreSQL: SQLite's migration 0004 adds a covering index for a unit's list page
-- because its rows keep a form's JSON inline (overflow pages before the list's columns);
-- PostgreSQL moves large values out of the row (TOAST), so its list reads stay cheap.
SELECT 1;
