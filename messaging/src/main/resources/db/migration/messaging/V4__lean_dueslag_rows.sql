-- Leaner dueslag rows. Every delivery is written three or four times (waiting, leased, delivered),
-- and each write of a row whose state changes adds an entry to every index it falls in; the
-- statements that touch rows by id must not be drawn to a partial index full of entries of rows
-- that have moved on (a bitmap scan of such an index cost 8 ms per acknowledgement).

-- A lease id is set exactly while a row is leased, so "this lease" alone says "still leased".
ALTER TABLE delivery ADD CONSTRAINT delivery_lease_while_leased CHECK ((state = 'LEASED') = (lease_id IS NOT NULL));
-- Nothing looks rows up by lease id alone (acknowledgements go by id and lease).
DROP INDEX delivery_lease;

-- Look-ups by message (the sender's status, purging) use the unique key, message id first.
ALTER TABLE delivery ADD CONSTRAINT delivery_message_receiver UNIQUE (message_id, receiver);
ALTER TABLE delivery DROP CONSTRAINT delivery_receiver_message_id_key;
DROP INDEX delivery_message;

-- The message's end of validity on each of its rows: leasing and the sweep of expired messages
-- test the row itself instead of joining the message (the sweep went through every delivery).
ALTER TABLE delivery ADD COLUMN expires_at timestamptz;
UPDATE delivery d SET expires_at = m.valid_to FROM message m WHERE m.id = d.message_id AND m.valid_to IS NOT NULL;
CREATE INDEX delivery_expiring ON delivery (expires_at) WHERE state IN ('READY', 'LEASED') AND expires_at IS NOT NULL;

-- The order per object is a line per receiver: the key names the receiver as well, so a line is
-- found by its key alone, on one index. With the receiver as the first condition the planner, on
-- statistics that lag a fast-growing table, took the receiver's index of waiting rows instead and
-- compared every waiting row of the receiver (0.1-0.5 ms per check, growing with the backlog).
UPDATE delivery SET order_key = receiver::text || '/' || order_key;
DROP INDEX delivery_pending_order;
CREATE INDEX delivery_pending_order ON delivery (order_key, seq) WHERE state IN ('READY', 'LEASED');

-- A queue: cleaned and its statistics renewed after 2 % of its rows changed, not the default 20 %.
ALTER TABLE delivery SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02,
                          autovacuum_vacuum_insert_scale_factor = 0.02);
