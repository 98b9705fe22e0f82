package io.boson.gateway;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's database work (authenticating a CONNECT, marking a device offline, describes,
 * firmware checks): each task on its own virtual thread, at most {@code permits} of them running at
 * once, the others waiting in arrival order.
 *
 * <p>Without the bound a reconnect storm (19,000 devices at once) started 19,000 virtual threads that
 * all asked the connection pool at the same moment; those the pool could not serve within its 30 s
 * timeout failed, the device was refused and tried again, and a failed "offline" write was lost.
 * Waiting here costs a parked virtual thread, holds no connection, and leaves the pool's other
 * connections to API calls and the flushes.
 */
final class DatabaseWork extends AbstractExecutorService {

    /** H2's pool has 8 connections, PostgreSQL's 16: the gateway takes at most 6 of them. */
    static final int DEFAULT_PERMITS = 6;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final Semaphore permits;

    DatabaseWork(int permits) {
        this.permits = new Semaphore(permits, true);
    }

    @Override
    public void execute(Runnable task) {
        threads.execute(() -> {
            permits.acquireUninterruptibly();
            try {
                task.run();
            } finally {
                permits.release();
            }
        });
    }

    /** Tasks waiting for a permit (the storm's backlog). */
    int waiting() {
        return permits.getQueueLength();
    }

    @Override
    public void shutdown() {
        threads.shutdown();
    }

    @Override
    public List<Runnable> shutdownNow() {
        return threads.shutdownNow();
    }

    @Override
    public boolean isShutdown() {
        return threads.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return threads.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return threads.awaitTermination(timeout, unit);
    }
}
