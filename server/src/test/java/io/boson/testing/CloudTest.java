package io.boson.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class with one real server for all its tests: started before the first, closed after the last. */
public abstract class CloudTest {

    protected static TestCloud cloud;

    @BeforeAll
    static void startCloud() {
        cloud = TestCloud.start();
    }

    @AfterAll
    static void stopCloud() {
        cloud.close();
    }
}
