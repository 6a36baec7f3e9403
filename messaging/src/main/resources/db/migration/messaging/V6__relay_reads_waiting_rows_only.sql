-- The relay to AMQP queues and the HTTP pusher lease each receiver's rows on an index by receiver.
-- That index held leased rows too, so that a lease that ran out could be taken again: under load
-- every lease read, and fetched from the table, each receiver's rows handed to the relay and not
-- yet confirmed (some hundreds a receiver), only to find them leased until later (3.8 ms a lease,
-- a hundred leases a second). It now holds waiting rows only. Leases that ran out are given back
-- to wait by the dueslag's sweep (DeliveryStore.returnExpired), which finds them on delivery_leased.
-- A receiver that pulls still leases on delivery_pending, which keeps leased rows.
--
-- Built concurrently: delivery is the distributor's largest table, and a plain CREATE INDEX would
-- stop every write to it (every message published) until the index is built. Flyway runs these
-- statements outside a transaction (ModuleMigrations takes its lock by session for that). An index
-- left invalid by a build that failed is dropped first, so that the migration can run again; the
-- old index goes only once the new one is there.
DROP INDEX CONCURRENTLY IF EXISTS delivery_ready_receiver;
CREATE INDEX CONCURRENTLY delivery_ready_receiver ON delivery (receiver, seq)
  WHERE state = 'READY' AND available_at IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS delivery_pending_receiver;
