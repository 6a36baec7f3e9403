-- A source system's own ids for the objects it created (Local-Id on create): one object per
-- system, registry, type and local id, so a repeated create from a system's retry or re-sync
-- finds the object it made instead of making another.
CREATE TABLE source_key (
  system     text NOT NULL,
  registry   text NOT NULL,
  type       text NOT NULL,
  local_id   text NOT NULL,
  object_id  uuid NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (system, registry, type, local_id)
);
CREATE INDEX source_key_object ON source_key (object_id);
