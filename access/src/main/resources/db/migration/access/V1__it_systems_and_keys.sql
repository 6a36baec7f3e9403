-- IT systems that may get tokens, and the token service's signing keys.
CREATE TABLE it_system (
  id               uuid PRIMARY KEY,
  name             text NOT NULL,
  vendor_cvr       text CHECK (vendor_cvr ~ '^[0-9]{8}$'),
  municipality_cvr text CHECK (municipality_cvr ~ '^[0-9]{8}$'),
  secret_hash      text NOT NULL,
  scopes           text[] NOT NULL,
  active           boolean NOT NULL DEFAULT true,
  created_at       timestamptz NOT NULL
);

-- RSA keys; the newest active one signs, all active ones are published at /oauth2/jwks.
CREATE TABLE signing_key (
  kid         text PRIMARY KEY,
  private_key text NOT NULL,
  public_key  text NOT NULL,
  created_at  timestamptz NOT NULL,
  active      boolean NOT NULL DEFAULT true
);
