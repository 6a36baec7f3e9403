-- A receiving system may read its dueslag as a queue on the AMQP broker: OpenSTS relays its
-- deliveries there (a delivery relayed and confirmed by the broker counts as DELIVERED; the
-- receiver acknowledges on the broker, and what it rejects comes back as FAILED).
ALTER TABLE dueslag ADD COLUMN amqp boolean NOT NULL DEFAULT false;
