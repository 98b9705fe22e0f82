package io.boson.device;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VariableTypeTest {

    @Test
    void wireNamesMatchTheDescribe() {
        assertThat(VariableType.INT32.wireName()).isEqualTo("int32");
        assertThat(VariableType.DOUBLE.wireName()).isEqualTo("double");
        assertThat(VariableType.STRING.wireName()).isEqualTo("string");
        assertThat(VariableType.BOOL.wireName()).isEqualTo("bool");
    }

    @Test
    void formatsInt32AsDecimal() {
        assertThat(VariableType.INT32.format(-42)).isEqualTo("-42");
        assertThat(VariableType.INT32.format(7L)).isEqualTo("7");
        assertThatThrownBy(() -> VariableType.INT32.format(1L << 40)).hasMessageContaining("not an int32");
        assertThatThrownBy(() -> VariableType.INT32.format(1.5)).hasMessageContaining("not an int32");
    }

    @Test
    void formatsDoublesWithoutExponents() {
        assertThat(VariableType.DOUBLE.format(21.37)).isEqualTo("21.37");
        assertThat(VariableType.DOUBLE.format(3)).isEqualTo("3.0");
        assertThat(VariableType.DOUBLE.format(1e10)).isEqualTo("10000000000");
        assertThat(VariableType.DOUBLE.format(-0.0001)).isEqualTo("-0.0001");
        assertThatThrownBy(() -> VariableType.DOUBLE.format(Double.NaN)).hasMessageContaining("finite");
        assertThatThrownBy(() -> VariableType.DOUBLE.format("1.0")).hasMessageContaining("not a number");
    }

    @Test
    void formatsStringsRawAndBoolsAsWords() {
        assertThat(VariableType.STRING.format("hello / world")).isEqualTo("hello / world");
        assertThat(VariableType.BOOL.format(true)).isEqualTo("true");
        assertThat(VariableType.BOOL.format(false)).isEqualTo("false");
        assertThatThrownBy(() -> VariableType.BOOL.format(1)).hasMessageContaining("not a bool");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> VariableType.STRING.format(null)).hasMessage("value is null");
    }
}
