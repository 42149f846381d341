package io.cssgateway.classify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ErrcodeTableTest {

    private static ErrcodeTable shipped() throws IOException {
        try (var in = ErrcodeTableTest.class.getResourceAsStream("/errcode-categories.txt")) {
            return ErrcodeTable.parse(new InputStreamReader(in, StandardCharsets.UTF_8), "errcode-categories.txt");
        }
    }

    private static ErrcodeTable table(String text) throws IOException {
        return ErrcodeTable.parse(new StringReader(text), "test-table");
    }

    @ParameterizedTest(name = "errcode {0} -> {1}")
    @CsvSource({
        // FACTS.md, "Interruption error codes"
        "1, client-stop", "2, client-stop", "3, client-stop", "4, client-stop", "35, client-stop",
        "5, internal", "9, internal", "10, internal", "11, internal", "24, internal",
        "6, protocol", "23, protocol", "7, protocol", "33, protocol",
        "8, no-data", "20, no-data",
        "12, network", "13, network", "14, network", "15, network", "16, network", "17, network",
        "18, access-policy",
        "19, third-party-auth",
        "21, operator-action",
        "0, unknown", "22, unknown", "25, unknown", "28, unknown", "32, unknown", "34, unknown",
        "36, unknown", "-1, unknown", "100000, unknown",
    })
    void shippedTableFollowsTheProviderCodes(int errcode, String category) throws IOException {
        assertThat(shipped().categoryOf(errcode)).isEqualTo(category);
    }

    @Test
    void missingErrcodeIsUnknown() throws IOException {
        assertThat(shipped().categoryOf(null)).isEqualTo("unknown");
    }

    @Test
    void operatorsCanMoveACodeAndAddCategories() throws IOException {
        ErrcodeTable table = table("# ours\nclient-stop = 1-4, 35\nmaintenance = 21\n\n  network=12 , 13\n");
        assertThat(table.categoryOf(3)).isEqualTo("client-stop");
        assertThat(table.categoryOf(21)).isEqualTo("maintenance");
        assertThat(table.categoryOf(13)).isEqualTo("network");
        assertThat(table.categoryOf(14)).isEqualTo("unknown");
        assertThat(table.size()).isEqualTo(8);
    }

    @Test
    void aCodeListedTwiceIsRefusedWithItsLine() {
        assertThatThrownBy(() -> table("network = 12-17\ninternal = 5, 13\n"))
                .hasMessage("test-table line 2: errcode 13 is already in category 'network'");
    }

    @Test
    void aCategoryThatCannotBeARoutingKeyWordIsRefused() {
        assertThatThrownBy(() -> table("Net.Work = 12\n"))
                .hasMessageContaining("test-table line 1: category 'Net.Work' must be lower-case letters");
        assertThatThrownBy(() -> table("net#work = 12\n")).hasMessageContaining("line 1");
    }

    @Test
    void malformedLinesAreRefusedWithTheirLine() {
        assertThatThrownBy(() -> table("network 12\n")).hasMessageContaining("line 1: expected 'category = codes'");
        assertThatThrownBy(() -> table("\nnetwork = twelve\n")).hasMessage(
                "test-table line 2: 'twelve' is not an errcode or a range such as 12-17");
        assertThatThrownBy(() -> table("network = 17-12\n")).hasMessageContaining("is empty or too wide");
        assertThatThrownBy(() -> table("network = \n")).hasMessageContaining("line 1");
    }
}
