package io.cssgateway.harness;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/** Files for tests that run the gateway from a folder of their own. */
public final class TestFiles {

    private TestFiles() {}

    /** Copies the folder {@code from} with everything in it to {@code to}. */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    /**
     * Puts a file where {@code folder} is, so that nothing can be written in it (as a disk fault would); returns what
     * puts the folder back.
     */
    public static AutoCloseable madeUnwritable(Path folder) throws IOException {
        Path moved = folder.resolveSibling(folder.getFileName() + "-moved");
        Files.move(folder, moved);
        Files.writeString(folder, "a file where the folder " + folder.getFileName() + " should be");
        return () -> {
            Files.delete(folder);
            Files.move(moved, folder);
        };
    }
}
