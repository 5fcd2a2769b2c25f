package com.salesmate.realtime.persistence;

import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.MigrationState;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The DAO and migration tests, written once and run by one subclass per engine against a real database built by
 * {@link TestDatabase} (the service's own factory, migrations and Jdbi setup).
 */
abstract class DaoContract extends DatabaseContract {
    private static final IdGenerator IDS = new IdGenerator(Clock.systemUTC());

    private LocationDao locations() throws Exception {
        return db().jdbi.onDemand(LocationDao.class);
    }

    private SalesmanDao salesmen() throws Exception {
        return db().jdbi.onDemand(SalesmanDao.class);
    }

    private NotificationDao notifications() throws Exception {
        return db().jdbi.onDemand(NotificationDao.class);
    }

    static LocationRow location(String tenant, String salesman, long recordedAt) {
        return new LocationRow(IDS.next(), tenant, salesman, 12.5 + recordedAt % 1000 / 10000.0, 77.25, 5.0, 1.5,
                90.0, 900.0, 0.75, recordedAt, recordedAt + 40);
    }

    private static List<Long> times(List<LocationRow> rows) {
        return rows.stream().map(LocationRow::recordedAt).toList();
    }

    // --- migrations ---

    @Test
    void migratingAgainAppliesNothing() throws Exception {
        db();
        var again = new Migrations(TestDatabase.factory(databaseUrl())).migrate();
        assertThat(again.migrationsExecuted).isZero();
        assertThat(again.success).isTrue();
    }

    @Test
    void infoListsV1AsApplied() throws Exception {
        db();
        MigrationInfo[] info = new Migrations(TestDatabase.factory(databaseUrl())).info();
        assertThat(info).anySatisfy(m -> {
            assertThat(m.getVersion().getVersion()).isEqualTo("1");
            assertThat(m.getState()).isEqualTo(MigrationState.SUCCESS);
        });
        assertThat(Arrays.stream(info).filter(m -> m.getState() != MigrationState.SUCCESS)).isEmpty();
    }

    // --- locations ---

    @Test
    void insertAllStoresNewRowsAndSkipsDuplicateSalesmanAndTimestamp() throws Exception {
        LocationRow first = location("tenant-a", "s1", 1_000);
        LocationRow retry = location("tenant-a", "s1", 1_000);

        assertThat(locations().insertAll(List.of(first))).containsExactly(1);
        assertThat(locations().insertAll(List.of(retry))).containsExactly(0);

        assertThat(locations().count()).isEqualTo(1);
        assertThat(locations().find("s1", 1_000)).contains(first);
    }

    @Test
    void insertAllSkipsDuplicateWithinOneBatch() throws Exception {
        LocationRow a = location("tenant-a", "s1", 1_000);
        LocationRow sameKey = location("tenant-a", "s1", 1_000);
        LocationRow b = location("tenant-a", "s1", 2_000);

        int[] inserted = db().jdbi.inTransaction(h -> h.attach(LocationDao.class).insertAll(List.of(a, sameKey, b)));

        assertThat(inserted).containsExactly(1, 0, 1);
        assertThat(locations().count()).isEqualTo(2);
        assertThat(locations().find("s1", 1_000).map(LocationRow::id)).contains(a.id());
    }

    @Test
    void sameTimestampOfDifferentSalesmenIsStoredForEach() throws Exception {
        assertThat(locations().insertAll(List.of(location("tenant-a", "s1", 1_000),
                location("tenant-a", "s2", 1_000)))).containsExactly(1, 1);
        assertThat(locations().count()).isEqualTo(2);
    }

    @Test
    void findReturnsEveryStoredFieldAndEmptyForUnknownKey() throws Exception {
        LocationRow sparse = new LocationRow(IDS.next(), "tenant-a", "s1", -33.8688, 151.2093, null, null, null,
                null, null, 5_000, 5_001);
        locations().insertAll(List.of(sparse, location("tenant-a", "s1", 6_000)));

        assertThat(locations().find("s1", 5_000)).contains(sparse);
        assertThat(locations().find("s1", 5_001)).isEmpty();
        assertThat(locations().find("s2", 5_000)).isEmpty();
    }

    @Test
    void trailIsOldestFirstWithInclusiveBounds() throws Exception {
        locations().insertAll(List.of(location("tenant-a", "s1", 3_000), location("tenant-a", "s1", 1_000),
                location("tenant-a", "s1", 5_000), location("tenant-a", "s1", 2_000),
                location("tenant-a", "s1", 4_000), location("tenant-a", "s2", 3_500)));

        assertThat(times(locations().trail("tenant-a", "s1", 2_000, 4_000, 100)))
                .containsExactly(2_000L, 3_000L, 4_000L);
        assertThat(times(locations().trail("tenant-a", "s1", 0, Long.MAX_VALUE, 100)))
                .containsExactly(1_000L, 2_000L, 3_000L, 4_000L, 5_000L);
        assertThat(locations().trail("tenant-a", "s1", 5_001, 9_000, 100)).isEmpty();
    }

    @Test
    void trailLimitKeepsTheOldest() throws Exception {
        locations().insertAll(List.of(location("tenant-a", "s1", 4_000), location("tenant-a", "s1", 1_000),
                location("tenant-a", "s1", 3_000), location("tenant-a", "s1", 2_000)));

        assertThat(times(locations().trail("tenant-a", "s1", 0, Long.MAX_VALUE, 2)))
                .containsExactly(1_000L, 2_000L);
    }

    @Test
    void latestIsTheNewestRecordedPointNotTheLastInserted() throws Exception {
        LocationRow newest = location("tenant-a", "s1", 9_000);
        locations().insertAll(List.of(location("tenant-a", "s1", 1_000), newest));
        locations().insertAll(List.of(location("tenant-a", "s1", 5_000))); // buffered offline, arrives late

        assertThat(locations().latest("tenant-a", "s1")).contains(newest);
        assertThat(locations().latest("tenant-a", "s2")).isEmpty();
    }

    @Test
    void trailAndLatestNeverShowAnotherTenantsSalesman() throws Exception {
        locations().insertAll(List.of(location("tenant-a", "s1", 1_000), location("tenant-a", "s1", 2_000)));

        assertThat(locations().trail("tenant-b", "s1", 0, Long.MAX_VALUE, 100)).isEmpty();
        assertThat(locations().latest("tenant-b", "s1")).isEmpty();
        assertThat(locations().trail("tenant-a", "s1", 0, Long.MAX_VALUE, 100)).hasSize(2);
    }

    // --- salesmen ---

    @Test
    void seenKeepsFirstSeenAndUpdatesLastSeen() throws Exception {
        salesmen().seen("tenant-a", "s1", 1_000);
        assertThat(salesmen().find("s1")).contains(new SalesmanRow("s1", "tenant-a", 1_000, 1_000));

        salesmen().seen("tenant-a", "s1", 7_000);
        assertThat(salesmen().find("s1")).contains(new SalesmanRow("s1", "tenant-a", 1_000, 7_000));
        assertThat(salesmen().find("s2")).isEmpty();
    }

    // --- notifications ---

    private static NotificationRow notification(String id, String tenant, String salesman, long createdAt,
                                                long expiresAt) {
        return new NotificationRow(id, tenant, salesman, "Title " + id, "Message " + id, "info",
                "{\"orderId\":\"o-" + id + "\"}", createdAt, expiresAt, null);
    }

    @Test
    void insertedNotificationIsFoundWithEveryField() throws Exception {
        NotificationRow n = notification("n1", "tenant-a", "s1", 1_000, 10_000);
        notifications().insert(n);
        NotificationRow bare = new NotificationRow("n2", "tenant-a", "s1", null, "just text", null, null, 1_000,
                10_000, null);
        notifications().insert(bare);

        assertThat(notifications().find("n1")).contains(n);
        assertThat(notifications().find("n2")).contains(bare);
        assertThat(notifications().find("n3")).isEmpty();
    }

    @Test
    void pendingIsUnackedUnexpiredOldestFirstForThatSalesmanOnly() throws Exception {
        NotificationDao dao = notifications();
        dao.insert(notification("late", "tenant-a", "s1", 3_000, 100_000));
        dao.insert(notification("early", "tenant-a", "s1", 1_000, 100_000));
        dao.insert(notification("acked", "tenant-a", "s1", 2_000, 100_000));
        dao.insert(notification("expired", "tenant-a", "s1", 500, 5_000));
        dao.insert(notification("other-salesman", "tenant-a", "s2", 1_500, 100_000));
        assertThat(dao.ack("acked", "tenant-a", "s1", 4_000)).isEqualTo(1);

        assertThat(dao.pending("tenant-a", "s1", 5_000, 100)).extracting(NotificationRow::id)
                .containsExactly("early", "late");
        assertThat(dao.pending("tenant-a", "s1", 4_999, 100)).extracting(NotificationRow::id)
                .containsExactly("expired", "early", "late");
        assertThat(dao.pending("tenant-a", "s1", 5_000, 1)).extracting(NotificationRow::id)
                .containsExactly("early");
        assertThat(dao.pending("tenant-b", "s1", 5_000, 100)).isEmpty();
    }

    @Test
    void ackCountsOnlyForTheOwningTenantAndSalesman() throws Exception {
        NotificationDao dao = notifications();
        dao.insert(notification("n1", "tenant-a", "s1", 1_000, 100_000));

        assertThat(dao.ack("n1", "tenant-a", "s2", 2_000)).isZero();
        assertThat(dao.ack("n1", "tenant-b", "s1", 2_000)).isZero();
        assertThat(dao.ack("missing", "tenant-a", "s1", 2_000)).isZero();
        assertThat(dao.find("n1").orElseThrow().ackedAt()).isNull();

        assertThat(dao.ack("n1", "tenant-a", "s1", 3_000)).isEqualTo(1);
        assertThat(dao.ack("n1", "tenant-a", "s1", 4_000)).as("acking again still counts").isEqualTo(1);
        assertThat(dao.find("n1").orElseThrow().ackedAt()).as("the first ack time is kept").isEqualTo(3_000L);
        assertThat(dao.pending("tenant-a", "s1", 5_000, 100)).isEmpty();
    }

    @Test
    void purgeExpiredRemovesOnlyExpiredNotifications() throws Exception {
        NotificationDao dao = notifications();
        dao.insert(notification("gone", "tenant-a", "s1", 1_000, 5_000));
        dao.insert(notification("acked-gone", "tenant-a", "s1", 1_000, 4_000));
        dao.insert(notification("kept", "tenant-a", "s1", 1_000, 5_001));
        dao.ack("acked-gone", "tenant-a", "s1", 2_000);

        assertThat(dao.purgeExpired(5_000)).isEqualTo(2);

        assertThat(dao.find("gone")).isEmpty();
        assertThat(dao.find("acked-gone")).isEmpty();
        assertThat(dao.find("kept")).isPresent();
        assertThat(dao.purgeExpired(5_000)).isZero();
    }
}
