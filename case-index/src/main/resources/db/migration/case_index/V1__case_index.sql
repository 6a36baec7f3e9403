-- Sags- og Dokumentindeks: the metadata of cases and documents that the fagsystemer publish.
-- A record is keyed by its owning IT system and that system's local id; the publisher's version
-- orders changes (a lower or conflicting version is refused). A removal leaves a tombstone so
-- that a late, older import cannot bring the record back.

CREATE TABLE cases (
  id             uuid PRIMARY KEY,
  system_id      text NOT NULL,
  local_id       text NOT NULL,
  version        integer NOT NULL CHECK (version >= 0),
  body_hash      bytea NOT NULL,
  removed        boolean NOT NULL DEFAULT false,
  municipality   text NOT NULL CHECK (municipality ~ '^[0-9]{8}$'),
  case_number    text NOT NULL,
  title          text NOT NULL,
  state          text NOT NULL,
  opened         date,
  closed         date,
  sensitivity    smallint NOT NULL CHECK (sensitivity BETWEEN 1 AND 4),
  kle            text NOT NULL,
  handling_class text,
  org_unit       uuid NOT NULL,
  exempt         boolean NOT NULL,
  changed_at     timestamptz NOT NULL,
  body           jsonb NOT NULL,
  CONSTRAINT case_source UNIQUE (system_id, local_id)
);
-- the case number is unique in a municipality across all systems (removed cases free theirs)
CREATE UNIQUE INDEX case_number_unique ON cases (municipality, case_number) WHERE NOT removed;
-- a party's cases, newest change first: the search the overview runs
CREATE TABLE case_party (
  party    text NOT NULL,
  case_id  uuid NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
  PRIMARY KEY (party, case_id)
);
CREATE INDEX case_party_case ON case_party (case_id);

CREATE TABLE documents (
  id           uuid PRIMARY KEY,
  system_id    text NOT NULL,
  local_id     text NOT NULL,
  version      integer NOT NULL CHECK (version >= 0),
  body_hash    bytea NOT NULL,
  removed      boolean NOT NULL DEFAULT false,
  case_id      uuid NOT NULL REFERENCES cases (id),
  changed_at   timestamptz NOT NULL,
  body         jsonb NOT NULL,
  CONSTRAINT document_source UNIQUE (system_id, local_id)
);
CREATE INDEX document_case ON documents (case_id) WHERE NOT removed;
