package io.boson.device;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns the cloud's function calls, variable reads and pings into replies. Pure: no MQTT here, so
 * every answer the protocol prescribes is testable without a broker. Handler failures become
 * {@code r/{rid}/err} replies, never exceptions, because an unanswered request costs the API
 * caller the whole request timeout.
 */
final class Responder {

    record Variable(VariableType type, Supplier<?> value) {}

    private final Map<String, Function<String, Integer>> functions;
    private final Map<String, Variable> variables;

    Responder(Map<String, Function<String, Integer>> functions, Map<String, Variable> variables) {
        this.functions = Map.copyOf(functions);
        this.variables = Map.copyOf(variables);
    }

    Reply call(CloudMessage.FunctionCall call, byte[] argument) {
        Function<String, Integer> function = functions.get(call.function());
        if (function == null) {
            return Reply.error(call.rid(), "unknown function: " + call.function());
        }
        try {
            Integer result = function.apply(new String(argument, StandardCharsets.UTF_8));
            if (result == null) {
                return Reply.error(call.rid(), "function " + call.function() + " returned no result");
            }
            return Reply.ok(call.rid(), result.toString());
        } catch (RuntimeException e) {
            return Reply.error(call.rid(), "function " + call.function() + " failed: " + describe(e));
        }
    }

    Reply read(CloudMessage.VariableRead read) {
        Variable variable = variables.get(read.variable());
        if (variable == null) {
            return Reply.error(read.rid(), "unknown variable: " + read.variable());
        }
        try {
            return Reply.ok(read.rid(), variable.type().format(variable.value().get()));
        } catch (RuntimeException e) {
            return Reply.error(read.rid(), "variable " + read.variable() + " failed: " + describe(e));
        }
    }

    static Reply ping(CloudMessage.Ping ping) {
        return Reply.ok(ping.rid(), "");
    }

    private static String describe(RuntimeException e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
