-- The security log: append-only, each entry chained to the one before by a keyed hash
-- (HMAC-SHA256 with a key kept outside the database), so a changed, inserted or deleted entry
-- is found by verification, and the newest entry is anchored in security_log_head.
CREATE TABLE security_log (
  seq            bigint PRIMARY KEY,
  id             uuid NOT NULL UNIQUE,
  at             timestamptz NOT NULL,
  type           text NOT NULL,
  outcome        text NOT NULL,
  actor          text,
  system         text,
  municipality   text,
  ip             text,
  correlation_id text,
  details        text NOT NULL,
  prev_hash      text NOT NULL,
  hash           text NOT NULL
);
CREATE INDEX security_log_at ON security_log (at);
CREATE INDEX security_log_type_at ON security_log (type, at);
CREATE INDEX security_log_actor_at ON security_log (actor, at);

-- One row: the sequence number and hash of the newest entry (the anchor a cut tail is found by).
CREATE TABLE security_log_head (
  one  boolean PRIMARY KEY DEFAULT true CHECK (one),
  seq  bigint NOT NULL,
  hash text NOT NULL
);
INSERT INTO security_log_head (seq, hash) VALUES (0, 'genesis');

-- Entries are never changed or removed through normal means.
CREATE FUNCTION security_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the security log is append-only';
END $$;
CREATE TRIGGER security_log_no_change BEFORE UPDATE OR DELETE ON security_log
  FOR EACH ROW EXECUTE FUNCTION security_log_append_only();
CREATE TRIGGER security_log_no_truncate BEFORE TRUNCATE ON security_log
  FOR EACH STATEMENT EXECUTE FUNCTION security_log_append_only();
