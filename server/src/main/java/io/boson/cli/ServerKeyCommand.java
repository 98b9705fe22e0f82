package io.boson.cli;

import io.boson.deviceos.ServerKey;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * {@code boson server-key}: writes the server key file a Device OS device takes (as {@code particle
 * keys server} writes it): the cloud's public key, read from a running cloud's {@code GET
 * /v1/server_key}, and the address the device is to dial.
 */
@Command(name = "server-key", mixinStandardHelpOptions = true,
        description = "Write the server key file for Device OS devices (the cloud's public key and its address).")
public final class ServerKeyCommand implements Callable<Integer> {

    @Option(names = "--address", required = true,
            description = "The address devices dial: an IPv4 address or a host name (at most 64 characters).")
    String address;

    @Option(names = "--out", required = true, description = "File to write (DER key padded to 192 bytes, then the address).")
    Path out;

    @Option(names = "--url", defaultValue = "${env:BOSON_URL:-http://localhost:8080}",
            description = "A running cloud's API, whose GET /v1/server_key is read (env BOSON_URL, default http://localhost:8080).")
    String url;

    @Override
    public Integer call() throws IOException, InterruptedException {
        byte[] der;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(url.replaceAll("/+$", "") + "/v1/server_key?format=der"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                System.err.println("GET /v1/server_key at " + url + " answered " + r.statusCode());
                return 1;
            }
            der = r.body();
        } catch (java.net.ConnectException e) {
            System.err.println("no cloud answers at " + url + " (give --url)");
            return 1;
        }
        byte[] file;
        try {
            file = ServerKey.deviceKeyFile(der, address);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        Files.write(out, file);
        System.out.println("wrote " + out + ": the server key of " + url + " with address " + address);
        return 0;
    }
}
