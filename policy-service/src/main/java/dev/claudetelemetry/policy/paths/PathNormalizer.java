package dev.claudetelemetry.policy.paths;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Turns a path as written ({@code ~/x}, {@code $HOME/x}, {@code ../x}, {@code ./a//b/}) into an
 * absolute, lexically normalised one, and optionally follows symlinks that exist on this machine.
 */
public final class PathNormalizer {

  private final boolean followSymlinks;

  public PathNormalizer(boolean followSymlinks) {
    this.followSymlinks = followSymlinks;
  }

  /** Whether normalising reads the file system (then the same path may normalise differently). */
  public boolean followsSymlinks() {
    return followSymlinks;
  }

  /** The absolute, lexically normalised form of {@code raw}; never touches the file system. */
  public static String normalize(String raw, String cwd, String home) {
    String expanded = expandHome(raw, home);
    if (!expanded.startsWith("/")) {
      String base = expandHome(cwd, home);
      expanded = (base.startsWith("/") ? base : "/" + base) + "/" + expanded;
    }
    return collapse(expanded);
  }

  public String normalize(String raw, PathContext context) {
    return normalize(raw, context.cwd(), context.home());
  }

  /** A resolver for the paths of one call, or {@code null} when symlinks are not followed. */
  public SymlinkResolver newResolver() {
    return followSymlinks ? new SymlinkResolver() : null;
  }

  static String expandHome(String raw, String home) {
    if (raw.equals("~") || raw.startsWith("~/")) {
      return home + raw.substring(1);
    }
    if (raw.startsWith("~") && !raw.startsWith("~+") && !raw.startsWith("~-")) {
      int slash = raw.indexOf('/');
      String user = slash < 0 ? raw.substring(1) : raw.substring(1, slash);
      if (user.matches("[A-Za-z0-9._-]+")) {
        return (user.equals("root") ? "/root" : "/home/" + user)
            + (slash < 0 ? "" : raw.substring(slash));
      }
    }
    for (String variable : new String[] {"${HOME}", "$HOME"}) {
      if (raw.equals(variable) || raw.startsWith(variable + "/")) {
        return home + raw.substring(variable.length());
      }
    }
    return raw;
  }

  /** Removes {@code .}, {@code ..}, empty segments and trailing slashes. */
  static String collapse(String absolute) {
    Deque<String> segments = new ArrayDeque<>();
    for (String segment : absolute.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        segments.pollLast();
      } else {
        segments.addLast(segment);
      }
    }
    return segments.isEmpty() ? "/" : "/" + String.join("/", segments);
  }

  /** Whether {@code path} is {@code root} or below it. */
  public static boolean isWithin(String path, String root) {
    return path.equals(root) || root.equals("/") || path.startsWith(root + "/");
  }
}
