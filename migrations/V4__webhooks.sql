-- Webhooks (SPEC 10): endpoints per tenant, an outbox written in the transaction of what it reports, and the log of
-- every delivery attempt.
CREATE TABLE webhooks (
    tenant_id        VARCHAR(64)  NOT NULL,
    webhook_id       VARCHAR(64)  NOT NULL,
    url              VARCHAR(2048) NOT NULL,
    events           VARCHAR(512) NOT NULL,
    secret           VARCHAR(128) NOT NULL,
    created_at       BIGINT       NOT NULL,
    updated_at       BIGINT       NOT NULL,
    disabled_at      BIGINT,
    disabled_reason  VARCHAR(256),
    PRIMARY KEY (tenant_id, webhook_id)
);

-- One message to one endpoint: message_id is its webhook-id header, the same on every attempt.
CREATE TABLE webhook_outbox (
    id               BIGINT       NOT NULL PRIMARY KEY,
    tenant_id        VARCHAR(64)  NOT NULL,
    webhook_id       VARCHAR(64)  NOT NULL,
    message_id       VARCHAR(64)  NOT NULL,
    type             VARCHAR(64)  NOT NULL,
    body             TEXT         NOT NULL,
    created_at       BIGINT       NOT NULL,
    state            VARCHAR(16)  NOT NULL,
    attempts         INTEGER      NOT NULL,
    next_attempt_at  BIGINT       NOT NULL,
    lease_owner      VARCHAR(64),
    lease_until      BIGINT
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (state, next_attempt_at);
CREATE INDEX webhook_outbox_endpoint ON webhook_outbox (tenant_id, webhook_id, state);

CREATE TABLE webhook_deliveries (
    id           BIGINT        NOT NULL PRIMARY KEY,
    tenant_id    VARCHAR(64)   NOT NULL,
    webhook_id   VARCHAR(64)   NOT NULL,
    message_id   VARCHAR(64)   NOT NULL,
    type         VARCHAR(64)   NOT NULL,
    attempt      INTEGER       NOT NULL,
    at           BIGINT        NOT NULL,
    status       INTEGER,
    error        VARCHAR(512),
    duration_ms  BIGINT        NOT NULL,
    outcome      VARCHAR(16)   NOT NULL
);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (tenant_id, webhook_id, at);
