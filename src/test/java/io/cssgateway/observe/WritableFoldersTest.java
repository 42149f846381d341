package io.cssgateway.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WritableFoldersTest {

    @TempDir
    Path dir;

    @Test
    void writableFoldersAreFineAndLeaveNothingBehind() throws Exception {
        WritableFolders folders = new WritableFolders(Map.of("spool", dir.resolve("spool"), "audit", dir.resolve("audit")));
        assertThat(folders.get()).isNull();
        try (var left = Files.list(dir.resolve("spool"))) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void aFolderThatCannotBeWrittenIsNamedWithWhy() throws Exception {
        // a file where the folder should be: neither root nor anyone else can write into it
        Files.writeString(dir.resolve("audit"), "not a folder");
        Map<String, Path> paths = new LinkedHashMap<>();
        paths.put("spool", dir.resolve("spool"));
        paths.put("audit", dir.resolve("audit"));
        assertThat(new WritableFolders(paths).get()).startsWith("the audit folder " + dir.resolve("audit")
                + " cannot be written: ");
    }
}
