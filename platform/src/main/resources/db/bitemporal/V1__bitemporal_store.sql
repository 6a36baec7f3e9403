-- The bitemporal store, created in the schema of each module that keeps registry objects.
-- Valid time (virkning) and system time (registrering) are ranges; the exclusion constraint
-- makes two versions of one object that overlap in both times impossible.
SET search_path = "${flyway:defaultSchema}", public;

CREATE TABLE registry_object (
  id            uuid PRIMARY KEY,
  type          text NOT NULL,
  owner         uuid,
  version       integer NOT NULL CHECK (version > 0),
  lifecycle     text NOT NULL CHECK (lifecycle IN ('CREATED', 'IMPORTED', 'CORRECTED', 'PASSIVATED', 'DELETED')),
  created_at    timestamptz NOT NULL,
  registered_at timestamptz NOT NULL
);
CREATE INDEX registry_object_owner_type ON registry_object (owner, type, id);

CREATE TABLE registration (
  id            uuid PRIMARY KEY,
  object_id     uuid NOT NULL REFERENCES registry_object (id),
  version       integer NOT NULL,
  registered_at timestamptz NOT NULL,
  actor         text NOT NULL,
  note          text,
  lifecycle     text NOT NULL,
  UNIQUE (object_id, version)
);

CREATE TABLE object_version (
  vid             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  object_id       uuid NOT NULL REFERENCES registry_object (id),
  type            text NOT NULL,
  owner           uuid,
  valid           tstzrange NOT NULL CHECK (NOT isempty(valid)),
  sys             tstzrange NOT NULL CHECK (NOT isempty(sys)),
  registration_id uuid NOT NULL REFERENCES registration (id),
  valid_actor     text,
  valid_note      text,
  user_key        text,
  name            text,
  parent_id       uuid,
  refs            uuid[] NOT NULL DEFAULT '{}',
  data            jsonb NOT NULL,
  CONSTRAINT object_version_no_overlap EXCLUDE USING gist (object_id WITH =, valid WITH &&, sys WITH &&)
);
-- current versions by owner and type, in id order: lists, diffs of bulk imports
CREATE INDEX object_version_current ON object_version (owner, type, object_id) WHERE upper_inf(sys);
-- look-ups by user key and by name at any time
CREATE INDEX object_version_user_key ON object_version (type, user_key, owner);
CREATE INDEX object_version_name ON object_version (type, lower(name) text_pattern_ops);
-- tree walks as of any point in both times
CREATE INDEX object_version_parent ON object_version USING gist (parent_id, valid, sys) WHERE parent_id IS NOT NULL;
-- "linked to" searches
CREATE INDEX object_version_refs ON object_version USING gin (refs);
