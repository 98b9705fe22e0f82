package io.boson.gateway;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A storm of gateway database work runs a bounded number of tasks at once, the rest waiting in order, none failing. */
class DatabaseWorkTest {

    @Test
    void atMostThePermitsRunAndTheRestWaitTheirTurn() throws Exception {
        DatabaseWork work = new DatabaseWork(3);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        List<Integer> finished = new CopyOnWriteArrayList<>();
        int tasks = 200;
        for (int i = 0; i < tasks; i++) {
            int n = i;
            work.execute(() -> {
                most.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                running.decrementAndGet();
                finished.add(n);
            });
        }
        // Three hold their permits; every other task waits for one (none fails, none runs early).
        await().atMost(10, TimeUnit.SECONDS).until(() -> running.get() == 3 && work.waiting() == tasks - 3);
        assertThat(finished).isEmpty();
        release.countDown();
        await().atMost(10, TimeUnit.SECONDS).until(() -> finished.size() == tasks);
        assertThat(most.get()).isEqualTo(3);
        assertThat(work.waiting()).isZero();
        work.shutdown();
        assertThat(work.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
}
