-- Role catalogue: user-facing systems (SAML service providers) and their system roles
-- (brugersystemroller). Job roles and their assignments live in this schema's bitemporal store.
CREATE TABLE user_system (
  entity_id          text PRIMARY KEY,
  name               text NOT NULL,
  acs_urls           text[] NOT NULL,          -- assertion consumer URLs (HTTP-POST binding)
  signing_pem        text NOT NULL,            -- verifies its AuthnRequests
  encryption_pem     text,                     -- assertions to it are encrypted when set
  min_assurance      text NOT NULL CHECK (min_assurance IN ('LOW', 'SUBSTANTIAL', 'HIGH')),
  without_privileges text NOT NULL CHECK (without_privileges IN ('REFUSE', 'ALLOW')),
  it_system          uuid REFERENCES it_system (id), -- the system's back end, which may exchange its assertions for API tokens
  updated_at         timestamptz NOT NULL,
  updated_by         text NOT NULL
);
CREATE TABLE user_system_role (
  role_uri    text PRIMARY KEY,                -- a system role URI is unique across systems
  system      text NOT NULL REFERENCES user_system (entity_id) ON DELETE CASCADE,
  name        text NOT NULL,
  description text,
  constraints jsonb NOT NULL,                  -- [{"type": uri, "pattern": regex, "required": bool}]
  service_roles jsonb NOT NULL                 -- [{"service": entity id, "role": name}]: what it carries into OpenSTS APIs
);
CREATE INDEX user_system_role_system ON user_system_role (system);

-- The identity provider of each municipality, from its metadata.
CREATE TABLE municipal_idp (
  cvr          text PRIMARY KEY CHECK (cvr ~ '^[0-9]{8}$'),
  entity_id    text NOT NULL,
  sso_url      text NOT NULL,                  -- HTTP-Redirect binding
  signing_pem  text NOT NULL,                  -- one or more certificates
  metadata     text NOT NULL,
  updated_at   timestamptz NOT NULL,
  updated_by   text NOT NULL
);

-- Logins under way: the service provider's request, waiting for the municipal IdP's answer.
-- A row is taken (deleted) by the answer, so an answer is used at most once.
CREATE TABLE saml_login (
  id           text PRIMARY KEY,               -- the ID of our AuthnRequest to the municipal IdP
  sp           text NOT NULL,
  request_id   text NOT NULL,                  -- the SP's AuthnRequest ID (InResponseTo of our answer)
  acs_url      text NOT NULL,
  relay_state  text,
  cvr          text,                           -- the municipality, once known (chosen or the only one)
  min_loa      text NOT NULL,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL
);
CREATE INDEX saml_login_expires ON saml_login (expires_at);

-- Message and assertion ids seen, until they expire: a replayed one is refused.
CREATE TABLE saml_seen (
  id           text PRIMARY KEY,
  expires_at   timestamptz NOT NULL
);
CREATE INDEX saml_seen_expires ON saml_seen (expires_at);
