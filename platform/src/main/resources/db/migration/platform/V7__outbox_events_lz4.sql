-- The outbox's serialized events (a bulk import's event holds up to 1,000 changed objects, about
-- 140 kB of JSON) are compressed with lz4 rather than pglz where the server is built with lz4
-- (PostgreSQL 14+; the embedded PostgreSQL and the common packages are): 200 such events took
-- 250-274 ms to insert with pglz and 45-49 ms with lz4 (docs/benchmarks.md, "Organisation").
-- Where it is not, the column keeps pglz.
DO $$
BEGIN
  ALTER TABLE event_publication ALTER COLUMN serialized_event SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'this PostgreSQL has no lz4: the outbox''s events stay compressed with pglz';
END $$;
