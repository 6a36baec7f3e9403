-- The message distributor (Beskedfordeler). PostgreSQL is the store of record: a publish is
-- confirmed after the message and one delivery row per matching receiver are committed together.
-- The transports (REST pull, HTTP push, AMQP queues) read the delivery rows; nothing confirmed is
-- kept only in memory or only on a broker.

-- Every published message once, keyed by its message id.
CREATE TABLE message (
  id            uuid PRIMARY KEY,
  seq           bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  message_type  text NOT NULL,
  authority     text NOT NULL,          -- the sending authority's CVR (the municipality)
  sender        uuid NOT NULL,          -- the publishing IT system (token subject), or OpenSTS itself
  channel       text NOT NULL CHECK (channel IN ('REST', 'AMQP', 'INTERNAL')),
  envelope      bytea NOT NULL,         -- the envelope with its payload, canonical JSON, as accepted
  content_hash  bytea NOT NULL,         -- SHA-256 of envelope: the same id with other content is refused
  received_at   timestamptz NOT NULL,
  valid_to      timestamptz,
  receivers     integer NOT NULL
);
CREATE INDEX message_received ON message (received_at);
CREATE INDEX message_sender ON message (sender, received_at);
CREATE INDEX message_valid_to ON message (valid_to) WHERE valid_to IS NOT NULL;

-- Subscriptions (abonnementer): a receiving system's message types and filters for one municipality.
-- Ended subscriptions are kept with ended_at set.
CREATE TABLE subscription (
  id              uuid PRIMARY KEY,
  receiver        uuid NOT NULL,
  municipality    text NOT NULL,
  name            text NOT NULL,
  message_types   text[] NOT NULL,
  kle             text[] NOT NULL DEFAULT '{}',
  object_types    text[] NOT NULL DEFAULT '{}',
  actions         text[] NOT NULL DEFAULT '{}',
  max_sensitivity text,
  cpr_list        uuid,
  version         integer NOT NULL,
  created_at      timestamptz NOT NULL,
  created_by      text NOT NULL,
  updated_at      timestamptz NOT NULL,
  updated_by      text NOT NULL,
  ended_at        timestamptz
);
CREATE INDEX subscription_route ON subscription (municipality) WHERE ended_at IS NULL;
CREATE INDEX subscription_receiver ON subscription (receiver, municipality);

-- Value lists a subscription filters on (today: CPR numbers the receiver follows).
CREATE TABLE value_list (
  id           uuid PRIMARY KEY,
  owner        uuid NOT NULL,
  municipality text NOT NULL,
  name         text NOT NULL,
  kind         text NOT NULL CHECK (kind IN ('CPR', 'CVR')),
  version      integer NOT NULL,
  updated_at   timestamptz NOT NULL,
  updated_by   text NOT NULL,
  UNIQUE (owner, municipality, name)
);
CREATE TABLE value_list_entry (
  list_id uuid NOT NULL REFERENCES value_list (id) ON DELETE CASCADE,
  value   text NOT NULL,
  PRIMARY KEY (list_id, value)
);
CREATE INDEX value_list_entry_value ON value_list_entry (value);

-- A receiving system's dueslag settings: HTTP push endpoint (optional) and the attempts before
-- a delivery goes to the error queue.
CREATE TABLE dueslag (
  receiver     uuid PRIMARY KEY,
  push_url     text,
  push_auth    text CHECK (push_auth IN ('HMAC', 'MTLS')),
  push_secret  text,
  max_attempts integer NOT NULL DEFAULT 10 CHECK (max_attempts BETWEEN 1 AND 100),
  updated_at   timestamptz NOT NULL,
  updated_by   text NOT NULL
);

-- One row per message and receiving system: the dueslag itself.
--   READY     waiting (available_at: not before, for push back-off)
--   LEASED    handed to a consumer until available_at; comes back when the lease runs out
--   DELIVERED acknowledged (kept for replay until retention ends)
--   FAILED    in the error queue
CREATE TABLE delivery (
  seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  receiver      uuid NOT NULL,
  municipality  text NOT NULL,
  message_id    uuid NOT NULL,
  order_key     text NOT NULL,          -- messages about the same object keep their order per receiver
  state         text NOT NULL CHECK (state IN ('READY', 'LEASED', 'DELIVERED', 'FAILED')),
  attempts      integer NOT NULL DEFAULT 0,
  available_at  timestamptz NOT NULL,
  lease_id      uuid,
  created_at    timestamptz NOT NULL,
  delivered_at  timestamptz,
  failed_at     timestamptz,
  last_error    text,
  UNIQUE (receiver, message_id)
);
CREATE INDEX delivery_pending ON delivery (receiver, municipality, seq) WHERE state IN ('READY', 'LEASED');
CREATE INDEX delivery_pending_order ON delivery (receiver, order_key, seq) WHERE state IN ('READY', 'LEASED');
CREATE INDEX delivery_lease ON delivery (lease_id) WHERE lease_id IS NOT NULL;
CREATE INDEX delivery_message ON delivery (message_id);
CREATE INDEX delivery_created ON delivery (receiver, municipality, created_at);
CREATE INDEX delivery_failed ON delivery (receiver, municipality, seq) WHERE state = 'FAILED';
CREATE INDEX delivery_leased ON delivery (available_at) WHERE state = 'LEASED';
