package io.boson.device;

import io.boson.device.CloudMessage.FunctionCall;
import io.boson.device.CloudMessage.Ping;
import io.boson.device.CloudMessage.VariableRead;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

class ResponderTest {

    private final Responder responder = new Responder(
            Map.<String, Function<String, Integer>>of(
                    "echoLength", String::length,
                    "broken", arg -> { throw new IllegalStateException("relay stuck"); },
                    "silent", arg -> null),
            Map.of(
                    "temp", new Responder.Variable(VariableType.DOUBLE, () -> 21.5),
                    "armed", new Responder.Variable(VariableType.BOOL, () -> true),
                    "wrong", new Responder.Variable(VariableType.INT32, () -> "seven")));

    @Test
    void functionResultGoesToTheRequestsReplyTopic() {
        Reply reply = responder.call(new FunctionCall("echoLength", "r1"), "héllo".getBytes(StandardCharsets.UTF_8));

        assertThat(reply.topic()).isEqualTo("r/r1");
        assertThat(reply.text()).isEqualTo("5");
    }

    @Test
    void functionFailuresBecomeErrorReplies() {
        assertThat(responder.call(new FunctionCall("nope", "r2"), new byte[0]))
                .satisfies(reply -> assertThat(reply.topic()).isEqualTo("r/r2/err"))
                .satisfies(reply -> assertThat(reply.text()).isEqualTo("unknown function: nope"));
        assertThat(responder.call(new FunctionCall("broken", "r3"), new byte[0]).text())
                .isEqualTo("function broken failed: relay stuck");
        assertThat(responder.call(new FunctionCall("silent", "r4"), new byte[0]).isError()).isTrue();
    }

    @Test
    void variablesAreWrittenInTheirDeclaredType() {
        assertThat(responder.read(new VariableRead("temp", "r5"))).satisfies(reply -> {
            assertThat(reply.topic()).isEqualTo("r/r5");
            assertThat(reply.text()).isEqualTo("21.5");
        });
        assertThat(responder.read(new VariableRead("armed", "r6")).text()).isEqualTo("true");
    }

    @Test
    void variableFailuresBecomeErrorReplies() {
        assertThat(responder.read(new VariableRead("missing", "r7"))).satisfies(reply -> {
            assertThat(reply.topic()).isEqualTo("r/r7/err");
            assertThat(reply.text()).isEqualTo("unknown variable: missing");
        });
        assertThat(responder.read(new VariableRead("wrong", "r8")).text())
                .isEqualTo("variable wrong failed: not an int32: seven");
    }

    @Test
    void pingRepliesEmpty() {
        Reply reply = Responder.ping(new Ping("r9"));

        assertThat(reply.topic()).isEqualTo("r/r9");
        assertThat(reply.payload()).isEmpty();
    }
}
