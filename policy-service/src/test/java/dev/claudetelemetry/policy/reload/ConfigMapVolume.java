package dev.claudetelemetry.policy.reload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A directory laid out the way kubelet projects a ConfigMap volume, updated the way kubelet's
 * AtomicWriter does: {@code policy.yaml -> ..data/policy.yaml}, {@code ..data -> ..<version>}; an
 * update writes a new {@code ..<version>} directory, points {@code ..data_tmp} at it, renames that
 * over {@code ..data}, and removes the old directory.
 */
final class ConfigMapVolume {

  static final String KEY = "policy.yaml";
  private final Path root;
  private final AtomicInteger generation = new AtomicInteger();
  private Path current;

  ConfigMapVolume(Path root) {
    this.root = root;
  }

  Path file() {
    return root.resolve(KEY);
  }

  /**
   * Removes the volume (links are removed, not followed), for a test that made it outside
   * {@code @TempDir}.
   */
  void deleteQuietly() {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException e) {
      // a temporary directory left behind is not worth failing a test run for
    }
  }

  ConfigMapVolume write(String content) throws IOException {
    Path next = root.resolve("..2026_11_25_00_00_0" + generation.incrementAndGet());
    Files.createDirectories(next);
    Files.writeString(next.resolve(KEY), content);
    Path tmp = root.resolve("..data_tmp");
    Files.createSymbolicLink(tmp, next.getFileName());
    Files.move(
        tmp,
        root.resolve("..data"),
        StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    if (!Files.exists(file(), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Files.createSymbolicLink(file(), Path.of("..data").resolve(KEY));
    }
    if (current != null) {
      Files.delete(current.resolve(KEY));
      Files.delete(current);
    }
    current = next;
    return this;
  }

  /** The ConfigMap key removed: the projected file disappears. */
  void removeKey() throws IOException {
    Files.delete(file());
  }
}
