package io.boson.http;

import io.boson.testing.TestCloud;
import org.junit.jupiter.api.Test;

class RoutesDumpTest {
    @Test
    void dump() {
        try (TestCloud cloud = TestCloud.start()) {
            cloud.boson().routes().forEach(r -> System.out.println("ROUTE " + r));
        }
    }
}
