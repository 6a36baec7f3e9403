-- The audit log is written by every search. With GIN's pending list (fastupdate), an unlucky insert
-- now and then merges the whole list into the index and waits tens of milliseconds; without it each
-- insert updates the index itself, a little slower and never in a burst.
ALTER INDEX audit_log_objects SET (fastupdate = off);
