-- Customer sites (SPEC 10): circles a salesman arrives at, checks in to after a dwell, and leaves. A site id is the
-- tenant's own: two tenants may each have a site "s1", and nothing of one is ever found through the other.
CREATE TABLE sites (
    tenant_id      VARCHAR(64)      NOT NULL,
    site_id        VARCHAR(64)      NOT NULL,
    name           VARCHAR(200)     NOT NULL,
    latitude       DOUBLE PRECISION NOT NULL,
    longitude      DOUBLE PRECISION NOT NULL,
    radius         DOUBLE PRECISION NOT NULL,
    dwell_seconds  INTEGER          NOT NULL,
    customer_id    VARCHAR(64),
    data           TEXT,
    updated_at     BIGINT           NOT NULL,
    PRIMARY KEY (tenant_id, site_id)
);

-- One row per tenant that ever had a site: bumped in the transaction of every change to its sites, so that each node
-- reloads a tenant's sites exactly when they changed (every node compares these with what it holds).
CREATE TABLE site_versions (
    tenant_id  VARCHAR(64) NOT NULL PRIMARY KEY,
    version    BIGINT      NOT NULL
);
