package dev.claudetelemetry.policy.paths;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Follows the symlinks on this machine for the paths of one tool call.
 *
 * <p>A call's paths mostly share directories, and several rules ask about the same paths, so each
 * directory and each answer is looked up once per call, and nothing below a missing directory is
 * looked up at all; realpath(3) per path re-read every component and, for a path that does not
 * exist, retried once per missing ancestor. A symlink whose target does not exist yet still counts
 * as leading there, because writing through it creates that target ({@code ln -s
 * ~/.ssh/authorized_keys k; echo key >> k}).
 *
 * <p>Not thread-safe, and not to be kept beyond one call: links change between calls.
 */
public final class SymlinkResolver {

  /** Symlinks followed per path before giving up (loops end here). */
  private static final int MAX_HOPS = 8;

  private record Entry(String canonical, boolean exists) {}

  private static final Entry ROOT = new Entry("/", true);

  private final Map<String, Entry> directories = new HashMap<>();
  private final Map<String, Optional<String>> readTargets = new HashMap<>();
  private final Map<String, Optional<String>> writeTargets = new HashMap<>();

  /**
   * Where {@code normalized} (absolute, lexically normalised) really leads, if a symlink sends it
   * elsewhere.
   *
   * @param forWriting whether a dangling symlink counts: writing through it creates its target,
   *     reading through it or deleting it touches nothing else
   */
  public Optional<String> resolve(String normalized, boolean forWriting) {
    Map<String, Optional<String>> known = forWriting ? writeTargets : readTargets;
    Optional<String> target = known.get(normalized);
    if (target == null) {
      target = lookUpTarget(normalized, forWriting);
      known.put(normalized, target);
    }
    return target;
  }

  private Optional<String> lookUpTarget(String normalized, boolean forWriting) {
    if (!normalized.startsWith("/") || normalized.indexOf('\0') >= 0) {
      return Optional.empty();
    }
    try {
      String real = lookUp(normalized, MAX_HOPS, forWriting).canonical();
      return real.equals(normalized) ? Optional.empty() : Optional.of(real);
    } catch (IOException | InvalidPathException | SecurityException e) {
      return Optional.empty();
    }
  }

  private Entry lookUp(String path, int hopsLeft, boolean danglingCounts) throws IOException {
    if (path.equals("/")) {
      return ROOT;
    }
    int slash = path.lastIndexOf('/');
    Entry parent = directory(slash == 0 ? "/" : path.substring(0, slash), hopsLeft);
    String candidate =
        (parent.canonical().equals("/") ? "" : parent.canonical()) + path.substring(slash);
    if (!parent.exists()) {
      return new Entry(candidate, false);
    }
    // File.exists is a stat that throws nothing; Files.isSymbolicLink (an lstat) throws inside for
    // a missing
    // file, which costs more than the system call, so a missing entry is asked only when a dangling
    // link counts.
    File file = new File(candidate);
    boolean exists = file.exists();
    if (!exists && !danglingCounts) {
      return new Entry(candidate, false);
    }
    Path asPath = file.toPath();
    if (!Files.isSymbolicLink(asPath)) {
      return new Entry(candidate, exists);
    }
    if (hopsLeft == 0) {
      return new Entry(candidate, false);
    }
    String target =
        PathNormalizer.collapse(asPath.resolveSibling(Files.readSymbolicLink(asPath)).toString());
    return lookUp(target, hopsLeft - 1, danglingCounts);
  }

  private Entry directory(String path, int hopsLeft) throws IOException {
    Entry known = directories.get(path);
    if (known == null) {
      // Nothing can be created below a dangling link to a directory, so only links that exist count
      // here.
      Entry entry = lookUp(path, hopsLeft, false);
      known =
          entry.exists() && !new File(entry.canonical()).isDirectory()
              ? new Entry(entry.canonical(), false)
              : entry;
      directories.put(path, known);
    }
    return known;
  }
}
