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
class CoapFuzzTest {

    private static final ServerKey KEY = new ServerKey(ServerKey.generate());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    @FuzzTest(maxDuration = "10s")
    void coapDecodesOrRefusesAndRoundTrips(byte[] data) throws Exception {
        CoapMessage m;
        try {
            m = CoapMessage.decode(data);
        } catch (CoapMessage.Malformed refused) {
            return;
        }
        CoapMessage again = CoapMessage.decode(m.encode());
        assertThat(again.type()).isEqualTo(m.type());
        assertThat(again.code()).isEqualTo(m.code());
        assertThat(again.id()).isEqualTo(m.id());
        assertThat(again.token()).isEqualTo(m.token());
        assertThat(again.payload()).isEqualTo(m.payload());
        assertThat(again.options()).hasSameSizeAs(m.options());
        for (int i = 0; i < m.options().size(); i++) {
            assertThat(again.options().get(i).number()).isEqualTo(m.options().get(i).number());
            assertThat(again.options().get(i).value()).isEqualTo(m.options().get(i).value());
        }
        // The session's decoder of vitals (binary metrics) takes any payload.
        assertThat(DeviceOsSession.vitals(JSON, m.payload())).isNotEmpty();
    }
}
