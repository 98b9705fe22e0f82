package io.boson.deviceos;

import io.boson.testing.TestCloud;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import java.net.InetSocketAddress;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;

/** A test class with one real server serving Device OS devices (UDP on a free port), and the cloud's key its devices trust. */
abstract class DeviceOsCloudTest {

    static TestCloud cloud;
    static PublicKey serverKey;

    @BeforeAll
    static void startCloud() throws Exception {
        cloud = TestCloud.start(b -> b.coapPort(0));
        serverKey = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(DeviceKeysTest.derOf(cloud)));
    }

    @AfterAll
    static void stopCloud() {
        cloud.close();
    }

    static InetSocketAddress udp() {
        return new InetSocketAddress("127.0.0.1", cloud.boson().coapPort());
    }
}
