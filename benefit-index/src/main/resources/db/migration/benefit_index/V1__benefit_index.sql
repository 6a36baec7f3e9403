-- Ydelsesindeks: the grants (bevillinger) of benefits that the fagsystemer publish, keyed by the
-- owning IT system and its local id, ordered by the publisher's version; removals leave tombstones.

CREATE TABLE grants (
  id            uuid PRIMARY KEY,
  system_id     text NOT NULL,
  local_id      text NOT NULL,
  version       integer NOT NULL CHECK (version >= 0),
  body_hash     bytea NOT NULL,
  removed       boolean NOT NULL DEFAULT false,
  municipality  text NOT NULL CHECK (municipality ~ '^[0-9]{8}$'),
  user_key      text NOT NULL,
  party         text NOT NULL,
  status        text NOT NULL,
  period_from   date NOT NULL,
  period_to     date,
  sensitivity   smallint NOT NULL CHECK (sensitivity BETWEEN 1 AND 4),
  kle           text NOT NULL,
  org_unit      uuid NOT NULL,
  case_number   text,
  changed_at    timestamptz NOT NULL,
  body          jsonb NOT NULL,
  CONSTRAINT grant_source UNIQUE (system_id, local_id)
);
CREATE INDEX grant_party ON grants (party, changed_at DESC, id DESC) WHERE NOT removed;
CREATE INDEX grant_case ON grants (municipality, case_number) WHERE NOT removed AND case_number IS NOT NULL;
