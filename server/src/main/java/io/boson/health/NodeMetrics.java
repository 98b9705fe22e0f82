package io.boson.health;

import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The node's one Micrometer registry, in Prometheus format, with the JVM's memory, GC, threads,
 * class loading, CPU and uptime bound. Each package registers the meters it owns where it counts.
 */
public final class NodeMetrics implements AutoCloseable {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** The JVM's meters are bound beside the start-up rather than in front of it (the platform MXBeans
     *  take a tenth of it); a scrape waits for them, so no scrape ever lacks them. */
    private final java.util.concurrent.CompletableFuture<Void> jvmBound;

    public NodeMetrics(String nodeId) {
        registry.config().commonTags("node", nodeId);
        jvmBound = java.util.concurrent.CompletableFuture.runAsync(() -> {
            new JvmMemoryMetrics().bindTo(registry);
            gc.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ClassLoaderMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
        }, r -> Thread.ofPlatform().daemon().name("boson-jvm-metrics").start(r));
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    String scrape() {
        jvmBound.join();
        return registry.scrape();
    }

    @Override
    public void close() {
        jvmBound.join();
        gc.close();
        registry.close();
    }
}
