package io.boson.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.boson.Config;
import org.flywaydb.core.Flyway;
import org.jdbi.v3.core.Jdbi;

import java.nio.file.Path;

/**
 * The connection pool, the schema and the JDBI handle. Embedded storage is an H2 file database
 * under the data directory; a PostgreSQL JDBC URL switches to PostgreSQL. The same Flyway
 * migrations run on both.
 */
public final class Database implements AutoCloseable {

    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final boolean postgres;

    private Database(HikariDataSource dataSource, boolean postgres) {
        this.dataSource = dataSource;
        this.postgres = postgres;
        this.jdbi = Jdbi.create(dataSource);
    }

    public static Database open(Config config) {
        return open(config, null);
    }

    /** With a registry, the pool reports its connections and how long each is held (hikaricp_* meters). */
    public static Database open(Config config, io.micrometer.core.instrument.MeterRegistry registry) {
        HikariConfig hikari = new HikariConfig();
        if (registry != null) hikari.setMetricRegistry(registry);
        boolean postgres;
        if (config.embeddedStorage()) {
            Path file = config.dataDir().toAbsolutePath().resolve("boson");
            // WRITE_DELAY=0: a commit is written to the file before it returns. H2's default (500 ms)
            // keeps commits in memory that long, and a killed process lost tokens it had issued
            // (CrashSafetyTest). Batched writers (presence, history, metering) commit once per batch.
            // async: H2's default file system is an interruptible FileChannel. One thread interrupted in
            // the middle of a read or write closed the channel, and with it the whole database ("The
            // database has been closed") until a restart, losing what was still to be written. The
            // asynchronous channel is not closed by interrupts (DatabaseInterruptTest).
            // QUERY_CACHE_SIZE: parsed statements kept per connection. H2's default (8) is far fewer than
            // the statements a busy node runs, and parsing them again was 6% of the soak's server CPU.
            hikari.setJdbcUrl("jdbc:h2:async:" + file + ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;QUERY_CACHE_SIZE=128");
            hikari.setUsername("sa");
            hikari.setPassword("");
            hikari.setMaximumPoolSize(8);
            postgres = false;
        } else {
            if (!config.dbUrl().startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("--db-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db)");
            }
            hikari.setJdbcUrl(config.dbUrl());
            if (config.dbUser() != null) hikari.setUsername(config.dbUser());
            if (config.dbPassword() != null) hikari.setPassword(config.dbPassword());
            hikari.setMaximumPoolSize(16);
            postgres = true;
        }
        hikari.setPoolName("boson-db");
        HikariDataSource ds = new HikariDataSource(hikari);
        try {
            if (!upToDate(ds)) Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
        return new Database(ds, postgres);
    }

    /**
     * The newest migration this build holds (the highest {@code V<n>__} under {@code db/migration};
     * {@code MigrationsTest} fails the build when a migration is added without raising it).
     */
    static final int NEWEST_MIGRATION = 90;

    /**
     * Whether the schema already records {@link #NEWEST_MIGRATION} as its newest migration, and no
     * failed one. Then Flyway is not started: its scan of the jar, its checksums of every migration
     * and its validation were a tenth of a start-up's main thread, for a schema with nothing to do.
     * Any other state (a new database, an upgrade, a failed migration, a schema newer than this build)
     * goes to Flyway as before, which validates and migrates.
     */
    static boolean upToDate(javax.sql.DataSource ds) {
        try (java.sql.Connection c = ds.getConnection(); java.sql.Statement st = c.createStatement();
             java.sql.ResultSet rs = st.executeQuery("SELECT \"version\", \"success\" FROM \"flyway_schema_history\"")) {
            int newest = -1;
            while (rs.next()) {
                if (!rs.getBoolean(2)) return false;
                String version = rs.getString(1);
                if (version == null) continue;
                try {
                    newest = Math.max(newest, Integer.parseInt(version));
                } catch (NumberFormatException e) {
                    return false;
                }
            }
            return newest == NEWEST_MIGRATION;
        } catch (java.sql.SQLException e) {
            return false; // no history table yet: a new database
        }
    }

    public Jdbi jdbi() {
        return jdbi;
    }

    /** Whether the database answers a query within {@code timeout} (readiness). */
    public boolean reachable(java.time.Duration timeout) {
        java.util.concurrent.CompletableFuture<Boolean> probe = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try (java.sql.Connection c = dataSource.getConnection(); java.sql.Statement st = c.createStatement()) {
                st.setQueryTimeout((int) Math.max(1, timeout.toSeconds()));
                st.executeQuery("SELECT 1 FROM cluster_nodes WHERE 1 = 0").close();
                return true;
            } catch (java.sql.SQLException e) {
                return false;
            }
        }, r -> Thread.ofVirtual().name("boson-db-probe").start(r));
        try {
            return probe.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean postgres() {
        return postgres;
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
