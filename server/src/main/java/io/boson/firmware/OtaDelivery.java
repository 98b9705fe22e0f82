package io.boson.firmware;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.boson.auth.Secrets;
import io.boson.devices.Describe;
import io.boson.devices.Device;
import io.boson.devices.DeviceService;
import io.boson.events.EventService;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The cloud side of the OTA pull protocol (device protocol section 3), called by the gateway:
 * which offer a device gets when it describes itself or is nudged, the chunk at an offset, and
 * what the device reports. Jobs are stored, so a device resumes the same job after a disconnect
 * (on any node); bytes served and the last offset are kept in memory per node for status.
 * Everything here may touch the database: the gateway calls it off the event loop.
 */
public final class OtaDelivery {

    public static final String STATUS_EVENT = "spark/flash/status";
    /** Bytes per chunk: small enough for a device's buffer, large enough that 1 MiB is 32 round trips. */
    public static final int CHUNK_BYTES = 32 * 1024;
    /**
     * The largest chunk a device may ask for (describe {@code ota_chunk}): one chunk with its MQTT
     * header stays under the gateway's outbound high-water mark (128 KiB), so a chunk in flight never
     * makes the cloud drop other messages for the device.
     */
    public static final int MAX_CHUNK_BYTES = 64 * 1024;
    /** The smallest chunk a device may ask for. */
    public static final int MIN_CHUNK_BYTES = 1024;
    static final Duration FIRST_BACKOFF = Duration.ofMinutes(1);
    static final Duration MAX_BACKOFF = Duration.ofHours(6);
    private static final int IMAGE_CACHE_ENTRIES = 8;

    /** An offer to publish on {@code c/o/{job}}. */
    public record Offer(String job, byte[] payload) {
        public String topic() {
            return "c/o/" + job;
        }
    }

    /** A slice of an image to publish on {@code c/o/{job}/{offset}} (not copied). */
    public record Chunk(byte[] image, int offset, int length) {
    }

    /** What this node knows about a job it is serving. */
    public record Progress(long bytesServed, long offset) {
    }

    private static final class LiveJob {
        final String deviceId;
        final Long productId;
        final Integer version;
        final int size;
        final AtomicBoolean started = new AtomicBoolean();
        final AtomicLong served = new AtomicLong();
        final AtomicLong offset = new AtomicLong();

        LiveJob(String deviceId, Long productId, Integer version, int size) {
            this.deviceId = deviceId;
            this.productId = productId;
            this.version = version;
            this.size = size;
        }
    }

    private final FirmwareRepository repo;
    private final DeviceService devices;
    private final EventService events;
    private final ObjectMapper json;
    private final Clock clock;
    private final StagedTargets staged;
    private final ReleaseCache releases;
    private final Map<String, LiveJob> jobs = new ConcurrentHashMap<>();
    private final Map<String, byte[]> images = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > IMAGE_CACHE_ENTRIES;
        }
    };
    private final Object[] locks = new Object[64];

    private final io.micrometer.core.instrument.Counter bytesServed;
    private final io.boson.health.FleetCounters fleet;

    /** The product's releases, at least as new as {@code generation} (read with a device row), from the shared cache. */
    List<Firmware> releases(long productId, long generation) {
        return releases.releases(productId, generation).releases();
    }

    public OtaDelivery(FirmwareRepository repo, DeviceService devices, EventService events, ObjectMapper json, Clock clock,
                       io.micrometer.core.instrument.MeterRegistry registry, io.boson.health.FleetCounters fleet,
                       StagedTargets staged) {
        this.staged = staged;
        this.repo = repo;
        this.releases = new ReleaseCache(repo);
        this.devices = devices;
        this.events = events;
        this.json = json;
        this.clock = clock;
        this.fleet = fleet;
        io.micrometer.core.instrument.Gauge.builder("boson.ota.transfers.active", jobs, Map::size)
                .description("Firmware transfers this node is serving").register(registry);
        this.bytesServed = io.micrometer.core.instrument.Counter.builder("boson.ota.bytes.served").baseUnit("bytes")
                .description("Firmware bytes sent to devices").register(registry);
        for (int i = 0; i < locks.length; i++) locks[i] = new Object();
    }

    /** The chunk size for a device that described itself with {@code d}: what it asked for, within bounds, else 32 KiB. */
    public static int chunkBytes(Describe d) {
        Integer asked = d.otaChunk();
        return asked == null ? CHUNK_BYTES : Math.max(MIN_CHUNK_BYTES, Math.min(MAX_CHUNK_BYTES, asked));
    }

    private Object lock(String deviceId) {
        return locks[Math.floorMod(deviceId.hashCode(), locks.length)];
    }

    /**
     * The device described itself; {@code handshake} when it is the first describe of a session.
     * Confirms a job whose version the device now reports, then returns the offer it should get.
     */
    public Optional<Offer> described(String deviceId, boolean handshake) {
        synchronized (lock(deviceId)) {
            Device device = devices.find(deviceId).orElse(null);
            DeviceFirmware f = repo.device(deviceId).orElse(null);
            if (device == null || f == null) return Optional.empty();
            long now = clock.millis();
            if (handshake && f.state() != null && f.state().active()) {
                boolean reached = f.directJob() ? f.state() == JobState.APPLIED
                        : Objects.equals(f.jobVersion(), device.productVersion());
                DeviceFirmware after = f;
                if (reached) {
                    after = finish(device, f, JobState.SUCCESS, null, now);
                } else if (f.state() == JobState.APPLIED) {
                    after = finish(device, f, JobState.FAILED, "the device restarted with version " + device.productVersion()
                            + " instead of " + f.jobVersion(), now);
                }
                // The row as the update left it; read again only when the job had moved on meanwhile.
                f = after != null ? after : repo.device(deviceId).orElseThrow();
            }
            return decide(device, f, handshake, now);
        }
    }

    /** Something changed for an online device (a release, a lock, its groups, a flash): offer now if it must. */
    public Optional<Offer> nudged(String deviceId) {
        synchronized (lock(deviceId)) {
            Device device = devices.find(deviceId).orElse(null);
            DeviceFirmware f = repo.device(deviceId).orElse(null);
            if (device == null || f == null) return Optional.empty();
            return decide(device, f, false, clock.millis());
        }
    }

    private Optional<Offer> decide(Device device, DeviceFirmware f, boolean handshake, long now) {
        Describe describe = Describe.fromStored(json, device.describeJson());
        if (!describe.updatesEnabled() && !f.updatesForced()) return Optional.empty();
        ReleaseCache.Releases released = f.productId() == null ? null : releases.releases(f.productId(), f.releaseGeneration());
        Precedence.Target target = released == null ? null : Precedence.target(f, released.releases(), staged.target(f));
        if (f.state() != null && f.state().unfinished()) {
            LiveJob live = jobs.get(f.job());
            // A nudge does not interrupt a transfer that is running; a new session resumes it.
            boolean running = live != null && live.served.get() > 0 && !handshake;
            boolean wanted = f.directJob() || (target != null && target.version() == f.jobVersion()
                    && !Objects.equals(device.productVersion(), f.jobVersion()));
            if (wanted) return running ? Optional.empty() : Optional.of(offer(f.job(), f.jobVersion(), f.jobSize(), f.jobSha256(),
                    f.updatesForced(), chunkBytes(describe)));
        }
        if (target == null || Objects.equals(device.productVersion(), target.version())) return Optional.empty();
        if (!handshake && !target.immediate()) return Optional.empty();
        if (Objects.equals(f.jobVersion(), target.version()) && f.state() != null) {
            if (f.state() == JobState.APPLIED) return Optional.empty();
            if (f.state().failed() && f.nextAttemptAt() != null && now < f.nextAttemptAt()) return Optional.empty();
        }
        // A lock or a rollout may aim at a version that is not released: only then is it read.
        Firmware firmware = released.version(target.version());
        if (firmware == null) firmware = repo.find(f.productId(), target.version()).orElse(null);
        if (firmware == null) return Optional.empty();
        String job = Secrets.randomAlnum(12);
        repo.startJob(device.id(), job, f.productId(), firmware.version(), firmware.size(), firmware.sha256(),
                device.productVersion(), null, now);
        events.system(device, STATUS_EVENT, "started");
        fleet.count(device.id(), io.boson.health.FleetMetric.OTA_OFFERED, 1);
        return Optional.of(offer(job, firmware.version(), firmware.size(), firmware.sha256(), f.updatesForced(),
                chunkBytes(describe)));
    }

    /** Starts a developer flash of {@code image} (the caller checked the rights); the device is nudged after. */
    void startDirect(Device device, byte[] image, String sha256) {
        synchronized (lock(device.id())) {
            repo.startJob(device.id(), Secrets.randomAlnum(12), null, null, image.length, sha256, device.productVersion(), image,
                    clock.millis());
            events.system(device, STATUS_EVENT, "started");
        }
    }

    private Offer offer(String job, Integer version, int size, String sha256, boolean forced, int chunk) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (version != null) body.put("version", version);
        body.put("size", size);
        body.put("sha256", sha256);
        body.put("chunk", chunk);
        if (forced) body.put("forced", true);
        try {
            return new Offer(job, json.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The chunk of the device's job at {@code offset}, or empty when the job is not its own, over, or the offset is out of range. */
    public Optional<Chunk> chunk(String deviceId, String job, long offset) {
        return chunk(deviceId, job, offset, CHUNK_BYTES);
    }

    /** As {@link #chunk(String, String, long)}, with chunks of at most {@code chunkBytes} (see {@link #chunkBytes}). */
    public Optional<Chunk> chunk(String deviceId, String job, long offset, int chunkBytes) {
        LiveJob live = jobs.get(job);
        if (live == null) {
            FirmwareRepository.UnfinishedJob f = repo.unfinishedJob(deviceId, job).orElse(null);
            if (f == null) return Optional.empty();
            live = jobs.computeIfAbsent(job, j -> new LiveJob(deviceId, f.productId(), f.version(), f.size()));
        }
        if (!live.deviceId.equals(deviceId) || offset < 0 || offset >= live.size) return Optional.empty();
        byte[] image = image(job, live);
        if (image == null || image.length != live.size) return Optional.empty();
        if (live.started.compareAndSet(false, true)) {
            repo.setState(deviceId, job, JobState.IN_PROGRESS, null, false, null, null, clock.millis());
        }
        return Optional.of(serve(live, image, offset, chunkBytes));
    }

    private Chunk serve(LiveJob live, byte[] image, long offset, int chunkBytes) {
        Chunk c = serveChunk(live, image, offset, chunkBytes);
        bytesServed.increment(c.length());
        return c;
    }

    /**
     * The chunk from memory alone, without touching the database: when the job is live on this node,
     * already in progress, and its image cached. Empty means "ask {@link #chunk}", which decides.
     * Cheap enough for the gateway's event loop, so most chunks skip the hop to a worker thread.
     */
    public Optional<Chunk> cachedChunk(String deviceId, String job, long offset, int chunkBytes) {
        LiveJob live = jobs.get(job);
        if (live == null || !live.started.get() || !live.deviceId.equals(deviceId) || offset < 0 || offset >= live.size) {
            return Optional.empty();
        }
        byte[] image;
        synchronized (images) {
            image = images.get(imageKey(job, live));
        }
        if (image == null || image.length != live.size) return Optional.empty();
        return Optional.of(serve(live, image, offset, chunkBytes));
    }

    private static Chunk serveChunk(LiveJob live, byte[] image, long offset, int chunkBytes) {
        int length = (int) Math.min(chunkBytes, live.size - offset);
        live.served.addAndGet(length);
        live.offset.set(offset + length);
        return new Chunk(image, (int) offset, length);
    }

    private static String imageKey(String job, LiveJob live) {
        return live.version == null ? "job:" + job : live.productId + ":" + live.version;
    }

    private byte[] image(String job, LiveJob live) {
        String key = imageKey(job, live);
        synchronized (images) {
            byte[] cached = images.get(key);
            if (cached != null) return cached;
        }
        byte[] loaded = (live.version == null ? repo.directImage(live.deviceId, job) : repo.binary(live.productId, live.version))
                .orElse(null);
        if (loaded != null) {
            synchronized (images) {
                images.put(key, loaded);
            }
        }
        return loaded;
    }

    /** The device's {@code o/{job}/s}: {@code applied}, {@code failed} or {@code rejected}. Unknown jobs are ignored. */
    public void reported(String deviceId, String job, String state, String error) {
        synchronized (lock(deviceId)) {
            if (state.equals("applied")) {
                // One statement, which also checks that the job is the device's and still active.
                if (repo.applied(deviceId, job, served(job), clock.millis())) {
                    fleet.count(deviceId, io.boson.health.FleetMetric.OTA_APPLIED, 1);
                }
                return;
            }
            DeviceFirmware f = repo.device(deviceId).orElse(null);
            Device device = devices.find(deviceId).orElse(null);
            if (f == null || device == null || !job.equals(f.job()) || f.state() == null || !f.state().active()) return;
            long now = clock.millis();
            fleet.count(deviceId, state.equals("rejected") ? io.boson.health.FleetMetric.OTA_REJECTED
                    : io.boson.health.FleetMetric.OTA_FAILED, 1);
            if (state.equals("rejected")) {
                finish(device, f, JobState.REJECTED, error == null ? "rejected by the device" : error, now);
            } else {
                finish(device, f, JobState.FAILED, error == null ? "failed on the device" : error, now);
            }
        }
    }

    /** Ends the job; returns the device's row as it is now, or null when its job was another one by then. */
    private DeviceFirmware finish(Device device, DeviceFirmware f, JobState state, String error, long now) {
        boolean failed = state.failed();
        Long next = failed ? now + backoff(f.attempts() + 1).toMillis() : null;
        String shortError = error != null && error.length() > 500 ? error.substring(0, 500) : error;
        Long sent = served(f.job());
        boolean moved = repo.setState(device.id(), f.job(), state, shortError, failed, next, sent, now);
        if (moved) {
            events.system(device, STATUS_EVENT, failed ? "failed" : "success");
        }
        LiveJob live = jobs.remove(f.job());
        if (live != null && live.version == null) {
            synchronized (images) {
                images.remove("job:" + f.job());
            }
        }
        return moved ? f.withJobState(state, failed, next, shortError, sent, now) : null;
    }

    private Long served(String job) {
        LiveJob live = jobs.get(job);
        return live == null ? null : live.served.get();
    }

    /** 1 min, 2, 4, … up to 6 h after consecutive failures of the same version. */
    static Duration backoff(int attempts) {
        long millis = FIRST_BACKOFF.toMillis() << Math.min(Math.max(attempts - 1, 0), 20);
        return Duration.ofMillis(Math.min(millis, MAX_BACKOFF.toMillis()));
    }

    /** What this node served of a job, if it served any. */
    public Optional<Progress> progress(String job) {
        LiveJob live = job == null ? null : jobs.get(job);
        return live == null ? Optional.empty() : Optional.of(new Progress(live.served.get(), live.offset.get()));
    }
}
