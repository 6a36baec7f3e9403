-- The order check (is an earlier delivery of this receiver's line still waiting?) must look the
-- line up on delivery_pending_order. The two other indexes of waiting rows had the same condition,
-- so the planner could also answer the check by reading one of them whole and filtering on the
-- line: on statistics from a quiet moment, which say no row waits, that looks as cheap. Under load
-- thousands of rows wait and every check read all of them (PostgreSQL 17: 20 ms a lease, 5.7 ms a
-- batch of new deliveries, the distributor at half its throughput).
-- Those two indexes now also require available_at to be stated. It always is (NOT NULL); the
-- statements that find rows by receiver imply it with "available_at <= now", while the order
-- check does not, so only the index by line can serve the check, whatever the statistics say.
DROP INDEX delivery_pending;
CREATE INDEX delivery_pending ON delivery (receiver, municipality, seq)
  WHERE state IN ('READY', 'LEASED') AND available_at IS NOT NULL;
DROP INDEX delivery_pending_receiver;
CREATE INDEX delivery_pending_receiver ON delivery (receiver, seq)
  WHERE state IN ('READY', 'LEASED') AND available_at IS NOT NULL;
