package io.boson.health;

import io.boson.Boson;
import io.boson.Config;
import io.boson.testing.Api;
import io.boson.testing.BlackholeProxy;
import io.boson.testing.MutableClock;
import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code /health/ready} turns unready when the database is gone: the node reaches PostgreSQL
 * through a relay, and the relay is closed (every connection reset, new ones refused). Liveness
 * stays up: the process is fine, it cannot serve.
 */
class ReadinessTest {

    @TempDir
    Path dir;

    @Test
    void readinessFailsWhenTheDatabaseIsGone() {
        assumeTrue("postgres".equals(System.getProperty("boson.test.db")), "runs in the PostgreSQL pass");
        String schema = TestCloud.createTestSchema();
        try (BlackholeProxy path = new BlackholeProxy(5432)) {
            Config config = Config.defaults().withDataDir(dir).withBindHost("127.0.0.1").withPorts(0, 0)
                    .withAdmin(TestCloud.ADMIN, TestCloud.ADMIN_PASSWORD)
                    .withClock(new MutableClock(Instant.parse("2026-11-25T12:00:00Z")))
                    .withDb("jdbc:postgresql://127.0.0.1:" + path.port() + "/test?currentSchema=" + schema, "postgres", null);
            try (Boson boson = Boson.start(config)) {
                Api anon = new Api("http://127.0.0.1:" + boson.httpPort(), null);
                assertThat(anon.get("/health/ready").status()).isEqualTo(200);
                path.close();
                await().atMost(Duration.ofSeconds(10)).until(() -> anon.get("/health/ready").status() == 503);
                Api.Response unready = anon.get("/health/ready");
                assertThat(unready.json().get("status").asText()).isEqualTo("unready");
                assertThat(unready.json().get("checks").get("database").asText()).isEqualTo("down");
                assertThat(unready.json().get("checks").get("bus").asText()).isEqualTo("up");
                assertThat(anon.get("/health/live").status()).isEqualTo(200);
            }
        } finally {
            TestCloud.dropTestSchema(schema);
        }
    }
}
