package io.boson.store;

import io.boson.Config;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The embedded database survives interrupted threads. Executors interrupt their workers when they
 * are shut down with {@code shutdownNow}, and with H2's default file system one interrupt in the
 * middle of a write closed the whole database: every later query failed ("The database has been
 * closed") and a clean shutdown could no longer write its last usage counts.
 */
class DatabaseInterruptTest {

    @TempDir
    Path dir;

    @Test
    void interruptingAWriterLeavesTheDatabaseOpen() throws Exception {
        assumeFalse("postgres".equals(System.getProperty("boson.test.db")), "the embedded database's file system");
        try (Database db = Database.open(Config.defaults().withDataDir(dir))) {
            db.jdbi().useHandle(h -> h.execute("CREATE TABLE interrupt_probe (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(100))"));
            AtomicInteger written = new AtomicInteger();
            for (int round = 0; round < 20; round++) {
                CountDownLatch writing = new CountDownLatch(1);
                Thread writer = Thread.ofPlatform().start(() -> {
                    try {
                        while (!Thread.currentThread().isInterrupted()) {
                            db.jdbi().useHandle(h -> h.execute("INSERT INTO interrupt_probe (v) VALUES ('written while interrupted')"));
                            written.incrementAndGet();
                            writing.countDown();
                        }
                    } catch (RuntimeException e) {
                        // The pool refuses an interrupted thread a connection: that is the writer's business.
                    }
                });
                writing.await();
                writer.interrupt();
                writer.join();
                // Another thread still reads and writes.
                db.jdbi().useHandle(h -> h.execute("INSERT INTO interrupt_probe (v) VALUES ('after')"));
            }
            int rows = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM interrupt_probe").mapTo(Integer.class).one());
            assertThat(rows).isGreaterThanOrEqualTo(written.get() + 20);
        }
    }
}
