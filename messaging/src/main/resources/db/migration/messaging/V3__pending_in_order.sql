-- The push and AMQP relays take each receiver's oldest waiting rows in order: without this index
-- the scan in seq order passed every delivered row kept for replay (40 ms at 35,000 rows, growing
-- with retention). The order check (no earlier waiting row with the same order key) uses
-- delivery_pending_order; no index on seq alone, which the planner took for that check when its
-- statistics said few rows were waiting (a scan of every waiting row per candidate).
CREATE INDEX delivery_pending_receiver ON delivery (receiver, seq) WHERE state IN ('READY', 'LEASED');
