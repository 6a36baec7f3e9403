-- The push and AMQP relays take the oldest waiting rows of many receivers at once: without this
-- index the scan in seq order passed every delivered row kept for replay (40 ms at 35,000 rows,
-- growing with retention).
CREATE INDEX delivery_pending_seq ON delivery (seq) WHERE state IN ('READY', 'LEASED');
