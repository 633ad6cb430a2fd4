package dev.claudetelemetry.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A directory written the way the kubelet writes a mounted Secret (its AtomicWriter): the files
 * live in a hidden timestamped directory, {@code ..data} is a symlink to it, each key is a symlink
 * through {@code ..data}, and an update writes a new timestamped directory and renames a fresh
 * symlink over {@code ..data}, so readers see either all old or all new contents.
 */
public final class SecretMount {

  private final Path dir;
  private int generation;

  public SecretMount(Path dir) {
    this.dir = dir;
  }

  public Path dir() {
    return dir;
  }

  /** Replaces the whole content with {@code files} (key to value), as a Secret update does. */
  public synchronized SecretMount write(Map<String, String> files) {
    try {
      Files.createDirectories(dir);
      Path previous =
          Files.isSymbolicLink(dir.resolve("..data"))
              ? dir.resolve(Files.readSymbolicLink(dir.resolve("..data")))
              : null;
      String stamp = "..2026_12_07_06_00_00." + (++generation);
      Path data = Files.createDirectory(dir.resolve(stamp));
      for (var file : files.entrySet()) {
        Files.writeString(data.resolve(file.getKey()), file.getValue());
      }
      Path tmp = dir.resolve("..data_tmp");
      Files.deleteIfExists(tmp);
      Files.createSymbolicLink(tmp, Path.of(stamp));
      Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE);
      for (String key : files.keySet()) {
        Path link = dir.resolve(key);
        if (!Files.isSymbolicLink(link)) {
          Files.createSymbolicLink(link, Path.of("..data").resolve(key));
        }
      }
      try (Stream<Path> entries = Files.list(dir)) {
        for (Path entry : entries.toList()) {
          String name = entry.getFileName().toString();
          if (!name.startsWith(".") && !files.containsKey(name)) {
            Files.delete(entry);
          }
        }
      }
      if (previous != null) {
        try (Stream<Path> old = Files.list(previous)) {
          for (Path file : old.toList()) {
            Files.delete(file);
          }
        }
        Files.delete(previous);
      }
      return this;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** True when {@code key} is a symlink through {@code ..data}, as in a real mount. */
  public boolean isSecretLayout(String key) {
    return Files.isSymbolicLink(dir.resolve(key))
        && Files.isRegularFile(dir.resolve(key))
        && !Files.isRegularFile(dir.resolve(key), LinkOption.NOFOLLOW_LINKS);
  }
}
