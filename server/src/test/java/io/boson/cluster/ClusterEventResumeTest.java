package io.boson.cluster;

import io.boson.events.ResumeScenario;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Event history on two nodes (one PostgreSQL schema, one NATS prefix): events entering on both
 * nodes, a stream on one node that resumes on the other with Last-Event-ID gets every event once,
 * including those the other node had not written yet (the flush barrier). PostgreSQL pass only.
 */
class ClusterEventResumeTest {

    static final Duration WAIT = Duration.ofSeconds(10);
    static TestCloud a;
    static TestCloud b;

    @BeforeAll
    static void start() {
        assumeTrue("postgres".equals(System.getProperty("boson.test.db")), "the cluster test runs in the PostgreSQL pass");
        // Nodes that write history only when a resuming stream asks: a replay that did not ask every node misses events.
        a = TestCloud.startCluster("node-a", c -> c.eventFlushInterval(Duration.ofHours(1)));
        b = a.join("node-b");
    }

    @AfterAll
    static void stop() {
        if (b != null) b.close();
        if (a != null) a.close();
    }

    @Test
    void aClientAwayFiveSecondsResumesOnTheOtherNodeWithEveryEventOnce() throws Exception {
        ResumeScenario.run(a, b, a, b);
    }

    @Test
    void eventsNotYetWrittenOnTheOtherNodeAreReplayed() {
        Api owner = a.newUser();
        long product = a.newProduct(owner, "Barrier");
        try (TestDevice onA = TestDevice.connect(a, a.productDevice(owner, product));
             TestDevice onB = TestDevice.connect(b, a.productDevice(owner, product))) {
            String path = "/v1/products/" + product + "/events/x";
            String id;
            try (SseStream s = SseStream.open(b.baseUrl(), path, owner.token())) {
                assertThat(onB.publish("x0", "b").getCode()).isZero();
                assertThat(onA.publish("x1", "a").getCode()).isZero();
                s.next("x1", WAIT);
                id = s.lastEventId();
                assertThat(id.split("\\.")).as("one id per node in the cursor").hasSize(2);
            }
            // Published and resumed at once, well inside a flush interval: node B must be asked to write first.
            assertThat(onB.publish("x2", "b").getCode()).isZero();
            assertThat(onA.publish("x3", "a").getCode()).isZero();
            try (SseStream s = SseStream.open(a.baseUrl(), path, owner.token(), id)) {
                assertThat(onB.publish("x4", "b").getCode()).isZero();
                List<String> names = s.upTo("x4", WAIT).stream().map(SseStream.Received::name).toList();
                assertThat(names).containsExactlyInAnyOrder("x2", "x3", "x4");
            }
            Api.Response history = new Api(b.baseUrl(), owner.token()).get("/v1/products/" + product + "/event-history");
            assertThat(history.json().get("events").findValuesAsText("name")).contains("x0", "x1", "x2", "x3", "x4");
        }
    }
}
