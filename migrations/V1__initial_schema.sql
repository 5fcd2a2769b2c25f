-- Salesmate Realtime schema, portable between SQLite and PostgreSQL.
-- Times are epoch milliseconds (BIGINT); ids follow the contract's [A-Za-z0-9._-]{1,64}.

-- Every stored GPS point. The unique index makes (salesman, timestamp) idempotent for retries and
-- serves the trail query (by salesman and time) and the latest-location lookup.
CREATE TABLE locations (
    id           BIGINT           NOT NULL PRIMARY KEY,
    tenant_id    VARCHAR(64)      NOT NULL,
    salesman_id  VARCHAR(64)      NOT NULL,
    latitude     DOUBLE PRECISION NOT NULL,
    longitude    DOUBLE PRECISION NOT NULL,
    accuracy     DOUBLE PRECISION,
    speed        DOUBLE PRECISION,
    heading      DOUBLE PRECISION,
    altitude     DOUBLE PRECISION,
    battery      DOUBLE PRECISION,
    recorded_at  BIGINT           NOT NULL,
    received_at  BIGINT           NOT NULL
);
CREATE UNIQUE INDEX locations_salesman_time ON locations (salesman_id, recorded_at);

-- Salesmen ever seen, with the time their last socket left (survives restarts).
CREATE TABLE salesmen (
    salesman_id  VARCHAR(64) NOT NULL PRIMARY KEY,
    tenant_id    VARCHAR(64) NOT NULL,
    first_seen   BIGINT      NOT NULL,
    last_seen    BIGINT      NOT NULL
);
CREATE INDEX salesmen_tenant ON salesmen (tenant_id);

-- Durable notifications: stored before delivery, redelivered until acknowledged or expired.
CREATE TABLE notifications (
    id           VARCHAR(64) NOT NULL PRIMARY KEY,
    tenant_id    VARCHAR(64) NOT NULL,
    salesman_id  VARCHAR(64) NOT NULL,
    title        TEXT,
    message      TEXT        NOT NULL,
    type         VARCHAR(64),
    data         TEXT,
    created_at   BIGINT      NOT NULL,
    expires_at   BIGINT      NOT NULL,
    acked_at     BIGINT
);
CREATE INDEX notifications_pending ON notifications (salesman_id, acked_at, created_at);
CREATE INDEX notifications_expiry ON notifications (expires_at);
