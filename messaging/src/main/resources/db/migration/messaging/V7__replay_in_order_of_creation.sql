-- A replay (ADR 15) walks a dueslag's rows in order of creation, in steps that each start where the
-- last ended. Deliveries written in one commit share their creation time, so the step's order is
-- (created_at, seq). The index by receiver, municipality and creation time now ends with seq too:
-- each step reads its rows in that order straight from the index and stops, however many rows
-- share a time. Without seq in the index, the rows of one time had to be read whole and sorted, and
-- on statistics that saw many such rows the planner read the dueslag's whole range by a sort.
--
-- Built concurrently, as V6: an invalid index of a failed build is dropped first, the old one last.
DROP INDEX CONCURRENTLY IF EXISTS delivery_created_seq;
CREATE INDEX CONCURRENTLY delivery_created_seq ON delivery (receiver, municipality, created_at, seq);
DROP INDEX CONCURRENTLY IF EXISTS delivery_created;
