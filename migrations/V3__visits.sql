-- Visits (SPEC 10): one row per (salesman, site) stay, from the arrival point to the check-out, detected from the stored
-- points. A row carries the site's circle as it was at arrival, and the state the detector needs to go on with it on
-- any node after any restart (outside_since: the first accurate point beyond radius x 1.5; last_at: the last point
-- applied, so that an older point is never applied after a newer one).
CREATE TABLE visits (
    visit_id        VARCHAR(64)      NOT NULL PRIMARY KEY,
    tenant_id       VARCHAR(64)      NOT NULL,
    salesman_id     VARCHAR(64)      NOT NULL,
    site_id         VARCHAR(64)      NOT NULL,
    site_latitude   DOUBLE PRECISION NOT NULL,
    site_longitude  DOUBLE PRECISION NOT NULL,
    radius          DOUBLE PRECISION NOT NULL,
    dwell_seconds   INTEGER          NOT NULL,
    arrived_at      BIGINT           NOT NULL,
    latitude        DOUBLE PRECISION NOT NULL,
    longitude       DOUBLE PRECISION NOT NULL,
    accuracy        DOUBLE PRECISION NOT NULL,
    checked_in_at   BIGINT,
    left_at         BIGINT,
    checked_out_at  BIGINT,
    outside_since   BIGINT,
    last_at         BIGINT           NOT NULL
);
-- at most one open visit per salesman and site, whichever node detects it
CREATE UNIQUE INDEX visits_open ON visits (salesman_id, site_id) WHERE checked_out_at IS NULL;
CREATE INDEX visits_salesman ON visits (salesman_id, arrived_at);
CREATE INDEX visits_site ON visits (tenant_id, site_id, arrived_at);
