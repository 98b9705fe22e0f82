package io.boson.compat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.boson.testing.Api;
import io.boson.testing.SseStream;
import io.boson.testing.TestCloud;
import io.boson.testing.TestDevice;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What the compatibility tests share: the pinned tools, a server, CLI homes and processes. */
abstract class CompatTestBase {


    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String PASSWORD = "password-123";

    static Path compat;
    static TestCloud cloud;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startServerAndTools() {
        compat = NpmTools.findCompatDir();
        NpmTools.installTools(compat);
        cloud = TestCloud.start();
    }

    @AfterAll
    static void stopServer() {
        if (cloud != null) cloud.close();
    }

    /** The payload of the next message on {@code topic}, or an explanation when none comes (for soft assertions). */
    static String received(TestDevice device, String topic) {
        try {
            return new String(device.next(topic, WAIT).getPayloadAsBytes(), StandardCharsets.UTF_8);
        } catch (AssertionError e) {
            return "<" + e.getMessage() + ">";
        }
    }

    // ------------------------------------------------------------------------------------------
    // Harness: accounts, CLI homes, processes
    // ------------------------------------------------------------------------------------------

    record Account(String username, Api api, Path home) {
    }

    /** A new account with a known password, and a CLI home logged in as it. */
    Account account() {
        String username = newAccount();
        Api api = cloud.login(username, PASSWORD);
        return new Account(username, api, cliHome(api.token(), username));
    }

    static String newAccount() {
        String username = "compat-" + UUID.randomUUID().toString().substring(0, 8) + "@example.com";
        Api.Response r = cloud.admin().postJson("/v1/users", Map.of("username", username, "password", PASSWORD));
        assertThat(r.status()).as("create user: %s", r).isEqualTo(200);
        return username;
    }

    /** A HOME whose {@code .particle/particle.config.json} points the CLI at this server (reference, section G). */
    Path cliHome(String token, String username) {
        try {
            Path home = Files.createTempDirectory(tmp, "home");
            Path dir = Files.createDirectories(home.resolve(".particle"));
            ObjectNode config = Api.JSON.createObjectNode().put("apiUrl", cloud.baseUrl());
            if (token != null) {
                config.put("access_token", token).put("access_token_expires_at", "9999-12-31T23:59:59.999Z")
                        .put("username", username);
            }
            Files.writeString(dir.resolve("particle.config.json"), Api.JSON.writeValueAsString(config));
            return home;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode readConfig(Path home) throws IOException {
        return Api.JSON.readTree(home.resolve(".particle/particle.config.json").toFile());
    }

    Run particle(Path home, String... args) {
        try (Proc p = startParticle(home, args)) {
            return p.waitFor(COMMAND_TIMEOUT);
        }
    }

    Proc startParticle(Path home, String... args) {
        return startParticleWithInput(home, "", args);
    }

    /** particle-cli answering its prompts with {@code input} (written to its stdin, then closed). */
    Run particleWithInput(Path home, String input, String... args) {
        try (Proc p = startParticleWithInput(home, input, args)) {
            return p.waitFor(COMMAND_TIMEOUT);
        }
    }

    private Proc startParticleWithInput(Path home, String input, String... args) {
        List<String> command = new ArrayList<>(List.of("node", compat.resolve("node_modules/particle-cli/src/index.js").toString()));
        command.addAll(Arrays.asList(args));
        return start("particle " + String.join(" ", args), command,
                Map.of("HOME", home.toString(), "USERPROFILE", home.toString()), home, input);
    }

    /** Starts a process with no stdin (closed at once), output to files, proxies bypassed for loopback. */
    Proc start(String label, List<String> command, Map<String, String> env, Path workDir) {
        return start(label, command, env, workDir, "");
    }

    private Proc start(String label, List<String> command, Map<String, String> env, Path workDir, String input) {
        try {
            Path out = Files.createTempFile(tmp, "out", ".txt");
            Path err = Files.createTempFile(tmp, "err", ".txt");
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            pb.environment().put("NO_PROXY", "127.0.0.1,localhost");
            pb.environment().put("no_proxy", "127.0.0.1,localhost");
            pb.environment().put("PARTICLE_DISABLE_UPDATE", "true");
            pb.environment().put("NO_COLOR", "1");
            pb.environment().put("FORCE_COLOR", "0");
            Process process = pb.start();
            try (var stdin = process.getOutputStream()) {
                stdin.write(input.getBytes(StandardCharsets.UTF_8));
            }
            return new Proc(label, process, out, err);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

}
