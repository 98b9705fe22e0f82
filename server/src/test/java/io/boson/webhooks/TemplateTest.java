package io.boson.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Mustache subset of webhook templates, on the examples of Particle's webhook reference. */
class TemplateTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode data() throws Exception {
        return JSON.readTree("""
                {"a":{"aa":"testing","ab":1234},"b":"xxx","c":[{"ca":"first","cb":123},{"ca":"second","cb":456}],
                 "html":"<a href='x'>&</a>","flag":false,"empty":[]}""");
    }

    @Test
    void particlesReferenceExamples() throws Exception {
        JsonNode d = data();
        assertThat(Template.render("{{{a.aa}}}", d)).isEqualTo("testing");
        assertThat(Template.render("{{{a.ab}}}", d)).isEqualTo("1234");
        assertThat(Template.render("{{{b}}}", d)).isEqualTo("xxx");
        assertThat(Template.render("{{{c.0.ca}}}", d)).isEqualTo("first");
        assertThat(Template.render("{{{c.1.cb}}}", d)).isEqualTo("456");
        assertThat(Template.render("{{#b}}{{{b}}}{{/b}}{{^b}}Missing{{/b}}", d)).isEqualTo("xxx");
        assertThat(Template.render("{{#z}}{{{z}}}{{/z}}{{^z}}Missing{{/z}}", d)).isEqualTo("Missing");
        assertThat(Template.render("{{#c}}{{{ca}}}~{{/c}}", d)).isEqualTo("first~second~");
    }

    @Test
    void escapingMissingNamesAndOddInput() throws Exception {
        JsonNode d = data();
        assertThat(Template.render("{{html}}", d)).isEqualTo("&lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;");
        assertThat(Template.render("{{{html}}}|{{& html}}", d)).isEqualTo("<a href='x'>&</a>|<a href='x'>&</a>");
        assertThat(Template.render("[{{nothing.here}}]", d)).isEqualTo("[]");
        assertThat(Template.render("{{a}}", d)).isEqualTo("{&quot;aa&quot;:&quot;testing&quot;,&quot;ab&quot;:1234}");
        assertThat(Template.render("{{#flag}}yes{{/flag}}{{^empty}}none{{/empty}}", d)).isEqualTo("none");
        assertThat(Template.render("{{#a}}{{aa}}/{{b}}{{/a}}", d)).as("outer names stay visible in a section").isEqualTo("testing/xxx");
        assertThat(Template.render("{{! a comment }}x", d)).isEqualTo("x");
        assertThat(Template.render("unclosed {{b", d)).isEqualTo("unclosed {{b");
        assertThat(Template.render("{{#b}}never closed", d)).isEqualTo("{{#b}}never closed");
        assertThat(Template.render("no tags", d)).isEqualTo("no tags");
    }

    @Test
    void chunksNeverSplitACharacter() {
        assertThat(Delivery.chunks("")).containsExactly("");
        assertThat(Delivery.chunks("x".repeat(1024))).hasSize(2).allMatch(c -> c.length() == 512);
        String euros = "€".repeat(200); // 3 bytes each: 600 bytes
        assertThat(Delivery.chunks(euros)).containsExactly("€".repeat(170), "€".repeat(30));
    }
}
