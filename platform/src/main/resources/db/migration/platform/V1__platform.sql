-- The platform schema: outbox (Spring Modulith event publication registry), the change feed the
-- outbox delivers to, the audit log of personal-data use, and idempotency keys.
CREATE EXTENSION IF NOT EXISTS btree_gist WITH SCHEMA public;

CREATE TABLE event_publication (
  id                     uuid NOT NULL PRIMARY KEY,
  listener_id            text NOT NULL,
  event_type             text NOT NULL,
  serialized_event       text NOT NULL,
  publication_date       timestamptz NOT NULL,
  completion_date        timestamptz,
  status                 text,
  completion_attempts    integer,
  last_resubmission_date timestamptz
);
CREATE INDEX event_publication_serialized_event_hash_idx ON event_publication USING hash (serialized_event);
CREATE INDEX event_publication_by_completion_date_idx ON event_publication (completion_date);

-- Ordered feed of every registry change, written by the outbox listener after commit.
CREATE TABLE change_feed (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  registry   text NOT NULL,
  object_id  uuid NOT NULL,
  type       text NOT NULL,
  version    integer NOT NULL,
  lifecycle  text NOT NULL,
  owner      uuid,
  changed_at timestamptz NOT NULL,
  UNIQUE (object_id, version)
);

-- Who used which personal data, when, why. Append-only: the application role never updates it.
CREATE TABLE audit_log (
  id             uuid PRIMARY KEY,
  at             timestamptz NOT NULL,
  actor          text NOT NULL,
  municipality   text,
  action         text NOT NULL CHECK (action IN ('READ', 'SEARCH', 'WRITE')),
  resource       text NOT NULL,
  object_ids     uuid[] NOT NULL,
  correlation_id text NOT NULL,
  details        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor_at ON audit_log (actor, at);
CREATE INDEX audit_log_objects ON audit_log USING gin (object_ids);

CREATE RULE audit_log_no_update AS ON UPDATE TO audit_log DO INSTEAD NOTHING;
CREATE RULE audit_log_no_delete AS ON DELETE TO audit_log DO INSTEAD NOTHING;

CREATE TABLE idempotency_key (
  actor          text NOT NULL,
  key            text NOT NULL,
  request_hash   text NOT NULL,
  status         integer,
  location       text,
  response       text,
  created_at     timestamptz NOT NULL,
  PRIMARY KEY (actor, key)
);
CREATE INDEX idempotency_key_created ON idempotency_key (created_at);
