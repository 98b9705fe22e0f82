package io.boson.testing;

import io.boson.Config;
import org.flywaydb.core.Flyway;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

/**
 * The store a test pass runs on, for tests that open the database themselves (upgrades, migrations):
 * an embedded H2 file in the test's directory, or, with {@code -Dboson.test.db=postgres}, a
 * PostgreSQL schema of its own, dropped on close.
 */
public final class PassStore implements AutoCloseable {

    private final Path dir;
    private final String schema;
    private final String url;
    private final String user;

    private PassStore(Path dir, String schema) {
        this.dir = dir;
        this.schema = schema;
        this.url = schema != null ? TestCloud.testSchemaUrl(schema)
                : "jdbc:h2:async:" + dir.toAbsolutePath().resolve("boson") + ";DB_CLOSE_ON_EXIT=FALSE";
        this.user = schema != null ? "postgres" : "sa";
    }

    /** A new, empty store: H2 in {@code dir} (where {@link Config#withDataDir} puts it), or a new schema. */
    public static PassStore create(Path dir) {
        return new PassStore(dir, postgres() ? TestCloud.createTestSchema() : null);
    }

    public static boolean postgres() {
        return "postgres".equals(System.getProperty("boson.test.db"));
    }

    public boolean isPostgres() {
        return schema != null;
    }

    public String url() {
        return url;
    }

    public String user() {
        return user;
    }

    /** Brings the store to an older schema, as an earlier Boson left it. */
    public PassStore migratedTo(String version) {
        Flyway.configure().dataSource(url, user, "").locations("classpath:db/migration").target(version).load().migrate();
        return this;
    }

    /** The configuration of a node on this store. */
    public Config config() {
        return schema != null ? Config.defaults().toBuilder().db(url, user, null).build() : Config.defaults().withDataDir(dir);
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, "");
    }

    @Override
    public void close() {
        if (schema != null) TestCloud.dropTestSchema(schema);
    }
}
