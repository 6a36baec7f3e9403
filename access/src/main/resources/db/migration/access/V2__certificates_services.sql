-- IT systems authenticate with X.509 certificates over mutual TLS; shared secrets are gone.
-- What a system may do comes from service agreements (the bitemporal store of this schema),
-- no longer from scopes on the system.
ALTER TABLE it_system DROP COLUMN secret_hash, DROP COLUMN scopes, DROP COLUMN municipality_cvr;
ALTER TABLE it_system ADD COLUMN contact text, ADD COLUMN created_by text;

-- A system's certificates: several at once for rotation; a revoked one is refused at once.
CREATE TABLE certificate (
  thumbprint        text PRIMARY KEY,            -- x5t#S256: base64url SHA-256 of the DER
  system_id         uuid NOT NULL REFERENCES it_system (id),
  pem               text NOT NULL,
  subject           text NOT NULL,
  issuer            text NOT NULL,
  serial            text NOT NULL,
  not_before        timestamptz NOT NULL,
  not_after         timestamptz NOT NULL,
  added_at          timestamptz NOT NULL,
  added_by          text NOT NULL,
  revoked_at        timestamptz,
  revoked_by        text,
  revocation_reason text
);
CREATE INDEX certificate_system ON certificate (system_id);

-- The services a token can be issued for, and their roles with the data-constraint types each takes.
CREATE TABLE service (
  entity_id   text PRIMARY KEY,
  name        text NOT NULL,
  description text,
  path_prefix text,
  built_in    boolean NOT NULL,
  updated_at  timestamptz NOT NULL,
  updated_by  text NOT NULL
);
CREATE TABLE service_role (
  service     text NOT NULL REFERENCES service (entity_id) ON DELETE CASCADE,
  name        text NOT NULL,
  description text,
  constraints jsonb NOT NULL,                    -- [{"type": uri, "pattern": regex, "required": bool}]
  PRIMARY KEY (service, name)
);
