package io.boson.device;

import javax.net.ssl.TrustManagerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Configures a {@link BosonDevice}. Names and limits from the protocol are checked here, when the
 * firmware author can still fix them, rather than surfacing later as refused requests.
 */
public final class BosonDeviceBuilder {

    public static final String DEFAULT_HOST = "localhost";
    /** The default MQTT port of {@code boson serve}. */
    public static final int DEFAULT_PORT = 8884;
    public static final Duration DEFAULT_KEEP_ALIVE = Duration.ofSeconds(60);
    static final int MAX_FUNCTIONS = 100;
    static final int MAX_VARIABLES = 100;

    private static final Pattern DEVICE_ID = Pattern.compile("[0-9a-f]{24}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    String deviceId;
    String secret;
    String host = DEFAULT_HOST;
    int port = DEFAULT_PORT;
    int keepAliveSeconds = (int) DEFAULT_KEEP_ALIVE.toSeconds();
    MqttVersion mqttVersion = MqttVersion.MQTT_5;
    boolean tls;
    TrustManagerFactory trust;
    Executor callbackExecutor;
    final Map<String, Function<String, Integer>> functions = new LinkedHashMap<>();
    final Map<String, Responder.Variable> variables = new LinkedHashMap<>();
    final List<BosonDevice.Subscription> subscriptions = new ArrayList<>();
    Supplier<Map<String, ?>> vitals = Map::of;
    private Integer platformId;
    private Integer productId;
    private Integer productVersion;
    private String systemVersion;
    private boolean updatesEnabled = true;
    OtaFaults otaFaults = OtaFaults.NONE;
    Integer otaChunk;

    BosonDeviceBuilder() {
    }

    /** 24 lowercase hex characters; also the MQTT client ID and username. */
    public BosonDeviceBuilder deviceId(String deviceId) {
        if (deviceId == null || !DEVICE_ID.matcher(deviceId).matches()) {
            throw new IllegalArgumentException("device ID must be 24 lowercase hex characters: " + deviceId);
        }
        this.deviceId = deviceId;
        return this;
    }

    public BosonDeviceBuilder secret(String secret) {
        this.secret = Objects.requireNonNull(secret, "secret");
        return this;
    }

    public BosonDeviceBuilder host(String host) {
        this.host = Objects.requireNonNull(host, "host");
        return this;
    }

    public BosonDeviceBuilder port(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
        this.port = port;
        return this;
    }

    /** Whole seconds, at most 65535 (MQTT); 0 turns keep-alive off. */
    public BosonDeviceBuilder keepAlive(Duration keepAlive) {
        long seconds = keepAlive.toSeconds();
        if (seconds < 0 || seconds > 65535) {
            throw new IllegalArgumentException("keep-alive must be 0..65535 s: " + keepAlive);
        }
        this.keepAliveSeconds = (int) seconds;
        return this;
    }

    public BosonDeviceBuilder mqttVersion(MqttVersion version) {
        this.mqttVersion = Objects.requireNonNull(version, "version");
        return this;
    }

    /** MQTT over TLS; {@code trust} null means the JDK's default trust store. */
    public BosonDeviceBuilder tls(TrustManagerFactory trust) {
        this.tls = true;
        this.trust = trust;
        return this;
    }

    /** Runs cloud requests and event handlers here instead of on the shared MQTT I/O thread. */
    public BosonDeviceBuilder callbackExecutor(Executor executor) {
        this.callbackExecutor = Objects.requireNonNull(executor, "executor");
        return this;
    }

    /** A cloud function: gets the call's argument as UTF-8 text, returns the int32 result. */
    public BosonDeviceBuilder function(String name, Function<String, Integer> function) {
        checkName(name, functions.keySet(), MAX_FUNCTIONS, "function");
        functions.put(name, Objects.requireNonNull(function, "function"));
        return this;
    }

    /** A cloud variable read by calling {@code value}; its result must fit {@code type}. */
    public BosonDeviceBuilder variable(String name, VariableType type, Supplier<?> value) {
        checkName(name, variables.keySet(), MAX_VARIABLES, "variable");
        variables.put(name, new Responder.Variable(Objects.requireNonNull(type, "type"),
                Objects.requireNonNull(value, "value")));
        return this;
    }

    /**
     * Receives events from the device's scope whose name matches {@code filter}: an MQTT filter
     * when it has {@code +} or {@code #}, a name prefix otherwise. The handler gets the event name
     * and data. The device subscribes to {@code c/e/{filter}}.
     */
    public BosonDeviceBuilder subscribe(String filter, BiConsumer<String, byte[]> handler) {
        subscriptions.add(new BosonDevice.Subscription(new EventFilter(filter), Objects.requireNonNull(handler)));
        return this;
    }

    /** Extra vitals (e.g. {@code battery_charge}) merged over the device's own counters. */
    public BosonDeviceBuilder vitals(Supplier<Map<String, ?>> vitals) {
        this.vitals = Objects.requireNonNull(vitals, "vitals");
        return this;
    }

    public BosonDeviceBuilder platformId(int platformId) {
        this.platformId = platformId;
        return this;
    }

    /** Marks the firmware as product firmware; requires a product version too. */
    public BosonDeviceBuilder productId(int productId) {
        this.productId = checkProductNumber(productId, "product ID");
        return this;
    }

    public BosonDeviceBuilder productVersion(int productVersion) {
        this.productVersion = checkProductNumber(productVersion, "product version");
        return this;
    }

    public BosonDeviceBuilder systemVersion(String systemVersion) {
        this.systemVersion = Objects.requireNonNull(systemVersion, "systemVersion");
        return this;
    }

    /** Whether the device accepts firmware offers now (default true, as in the protocol). */
    /** Faults to inject into firmware updates (simulation and tests); none by default. */
    public BosonDeviceBuilder otaFaults(OtaFaults faults) {
        this.otaFaults = Objects.requireNonNull(faults, "faults");
        return this;
    }

    /**
     * Asks the cloud for firmware chunks of up to {@code bytes} (describe {@code ota_chunk}, a Boson
     * addition: a Boson cloud sends 1 KiB to 64 KiB as asked, and the offer's {@code chunk} says
     * what it chose; other clouds ignore it). Not asked by default: 32 KiB chunks, as the protocol says.
     */
    public BosonDeviceBuilder otaChunkBytes(int bytes) {
        if (bytes < 1) throw new IllegalArgumentException("chunk size must be positive: " + bytes);
        this.otaChunk = bytes;
        return this;
    }

    public BosonDeviceBuilder updatesEnabled(boolean updatesEnabled) {
        this.updatesEnabled = updatesEnabled;
        return this;
    }

    public BosonDevice build() {
        return build(settings -> DeviceLink.open(mqttVersion, settings));
    }

    /** Tests swap the MQTT session for a stub to exercise the protocol logic without a broker. */
    BosonDevice build(Function<DeviceLink.Settings, DeviceLink> links) {
        if (deviceId == null || secret == null) {
            throw new IllegalStateException("deviceId and secret are required");
        }
        if ((productId == null) != (productVersion == null)) {
            throw new IllegalStateException("product firmware needs both productId and productVersion");
        }
        return new BosonDevice(this, links);
    }

    Describe describe() {
        return new Describe(List.copyOf(functions.keySet()), variableTypes(), platformId, productId,
                productVersion, systemVersion, updatesEnabled, otaChunk);
    }

    private Map<String, VariableType> variableTypes() {
        Map<String, VariableType> types = new LinkedHashMap<>();
        variables.forEach((name, variable) -> types.put(name, variable.type()));
        return types;
    }

    private static void checkName(String name, java.util.Set<String> taken, int max, String kind) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(kind + " name must be 1-64 of A-Z a-z 0-9 _ -: " + name);
        }
        if (taken.contains(name)) {
            throw new IllegalArgumentException(kind + " already defined: " + name);
        }
        if (taken.size() >= max) {
            throw new IllegalArgumentException("at most " + max + " " + kind + "s");
        }
    }

    private static int checkProductNumber(int value, String what) {
        if (value < 1 || value > 65535) {
            throw new IllegalArgumentException(what + " must be 1..65535: " + value);
        }
        return value;
    }
}
