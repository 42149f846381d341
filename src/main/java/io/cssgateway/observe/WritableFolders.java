package io.cssgateway.observe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The folders the gateway must be able to write (the spool, the audit log), checked by writing: a file is created
 * and removed in each, which also finds a full disk or a read-only mount that permissions alone would not show.
 */
public final class WritableFolders implements Supplier<String> {

    private final Map<String, Path> folders;

    /** @param folders what each folder is for ("spool", "audit") and where it is */
    public WritableFolders(Map<String, Path> folders) {
        this.folders = new LinkedHashMap<>(folders);
    }

    /** The first folder that cannot be written, with why; null when every one can. */
    @Override
    public String get() {
        for (Map.Entry<String, Path> folder : folders.entrySet()) {
            try {
                Files.createDirectories(folder.getValue());
                Files.delete(Files.createTempFile(folder.getValue(), ".health-", ".tmp"));
            } catch (IOException | RuntimeException e) {
                return "the " + folder.getKey() + " folder " + folder.getValue() + " cannot be written: " + e;
            }
        }
        return null;
    }
}
