package io.boson.gateway;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes the device protocol's topic rules (sections 2-4) with any strings a device could send as
 * a topic or filter: none may throw, and the rules must agree with each other, since the gateway
 * uses one to decide whether to look at the other (a session that "cannot receive events" is
 * never offered any).
 */
class TopicsFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void topicRulesNeverThrowAndAgree(FuzzedDataProvider data) {
        String filter = data.consumeString(260);
        String name = data.consumeRemainingAsString();

        boolean validName = Topics.validEventName(name);
        Topics.validRid(name);
        boolean validFilter = Topics.validSubscription(filter);
        boolean couldMatch = Topics.couldMatchEvents(filter);
        boolean matches = Topics.eventMatches(filter, name);
        Topics.mqttMatches(filter, name);

        if (validName) {
            assertThat(name).hasSizeBetween(1, 64).doesNotContain("+", "#");
            // Every event reaches a device subscribed to everything, to c/e/#, and to its own name.
            assertThat(Topics.eventMatches("c/#", name)).isTrue();
            assertThat(Topics.eventMatches("c/e/#", name)).isTrue();
            assertThat(Topics.eventMatches("c/e/" + name, name)).isTrue();
            assertThat(Topics.validSubscription("c/e/" + name)).isTrue();
            // A filter that could match no event must not match this one.
            if (validFilter && !couldMatch) assertThat(matches).as("filter %s, event %s", filter, name).isFalse();
        }
        if (validFilter) {
            assertThat(filter).startsWith("c/");
            assertThat(filter.length()).isLessThanOrEqualTo(200);
            assertThat(Topics.mqttMatches(filter, filter.replace("+", "x").replace("#", "x")))
                    .as("a filter matches its own topic with wildcards filled in: %s", filter).isTrue();
        }
    }
}
