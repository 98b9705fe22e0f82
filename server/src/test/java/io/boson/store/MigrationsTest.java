package io.boson.store;

import io.boson.testing.PassStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A start on an up-to-date schema does not run Flyway ({@link Database#upToDate}); every other
 * state still does. The build's newest migration is what {@link Database#NEWEST_MIGRATION} says.
 */
class MigrationsTest {

    @TempDir
    Path dir;

    @Test
    void theNewestMigrationConstantNamesTheNewestMigrationFile() throws URISyntaxException, java.io.IOException {
        Path migrations = Path.of(Database.class.getResource("/db/migration").toURI());
        Pattern versioned = Pattern.compile("V(\\d+)__.*\\.sql");
        int newest;
        try (Stream<Path> files = Files.list(migrations)) {
            newest = files.map(p -> versioned.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches).mapToInt(m -> Integer.parseInt(m.group(1))).max().orElseThrow();
        }
        assertThat(Database.NEWEST_MIGRATION)
                .as("Database.NEWEST_MIGRATION must name the newest db/migration file, or starts skip the new migration")
                .isEqualTo(newest);
    }

    @Test
    void anUpToDateSchemaIsRecognisedAndAnOlderOneIsMigrated() throws Exception {
        try (PassStore store = PassStore.create(dir).migratedTo("80")) {
            javax.sql.DataSource ds = dataSource(store);
            assertThat(Database.upToDate(ds)).as("a schema at V80").isFalse();

            try (Database db = Database.open(store.config())) {
                int keys = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM device_keys").mapTo(Integer.class).one());
                assertThat(keys).as("V90's table, made by the open").isZero();
            }
            assertThat(Database.upToDate(ds)).as("after the open migrated it").isTrue();
            assertThat(newestRecorded(store)).isEqualTo(String.valueOf(Database.NEWEST_MIGRATION));

            // A failed migration recorded in the history sends the start to Flyway (which refuses it) again.
            try (Connection c = store.connect(); Statement s = c.createStatement()) {
                s.execute("UPDATE \"flyway_schema_history\" SET \"success\" = FALSE WHERE \"version\" = '"
                        + Database.NEWEST_MIGRATION + "'");
            }
            assertThat(Database.upToDate(ds)).as("a failed migration in the history").isFalse();
        }
    }

    @Test
    void aNewDatabaseIsNotUpToDate() {
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL("jdbc:h2:" + dir.toAbsolutePath().resolve("empty"));
        h2.setUser("sa");
        assertThat(Database.upToDate(h2)).isFalse();
    }

    private static javax.sql.DataSource dataSource(PassStore store) {
        if (store.isPostgres()) {
            org.postgresql.ds.PGSimpleDataSource ds = new org.postgresql.ds.PGSimpleDataSource();
            ds.setURL(store.url());
            ds.setUser(store.user());
            return ds;
        }
        org.h2.jdbcx.JdbcDataSource h2 = new org.h2.jdbcx.JdbcDataSource();
        h2.setURL(store.url());
        h2.setUser(store.user());
        return h2;
    }

    private static String newestRecorded(PassStore store) throws Exception {
        try (Connection c = store.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT \"version\" FROM \"flyway_schema_history\" ORDER BY \"installed_rank\" DESC")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
