package dev.claudetelemetry.policy.paths;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/**
 * Turns a path as written ({@code ~/x}, {@code $HOME/x}, {@code ../x}, {@code ./a//b/}) into an absolute,
 * lexically normalised one, and optionally follows symlinks that exist on this machine.
 */
public final class PathNormalizer {

    private static final int MAX_DANGLING_HOPS = 8;

    private final boolean followSymlinks;

    public PathNormalizer(boolean followSymlinks) {
        this.followSymlinks = followSymlinks;
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

    /** Where the path really leads if it (or a parent) is a symlink on this machine; empty if the same. */
    public Optional<String> resolveSymlinks(String normalized) {
        if (!followSymlinks || normalized.indexOf('\0') >= 0) {
            return Optional.empty();
        }
        try {
            // One native call: realpath(3) on the longest prefix that exists, the rest appended as written.
            // (Files.exists/toRealPath cost an exception per missing ancestor, which dominated evaluation time.)
            String result = collapse(new File(normalized).getCanonicalPath());
            if (result.equals(normalized)) {
                result = danglingLinkTarget(normalized, MAX_DANGLING_HOPS);
            }
            return result.equals(normalized) ? Optional.empty() : Optional.of(result);
        } catch (IOException | InvalidPathException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * realpath(3) stops at a symlink whose target does not exist yet, but writing through it creates that target
     * ({@code ln -s ~/.ssh/authorized_keys k; echo key >> k}), so such a link counts as leading there.
     */
    private static String danglingLinkTarget(String path, int hopsLeft) throws IOException {
        File file = new File(path);
        // Only a missing file in an existing directory can be a dangling link; checked with plain stat calls
        // first, since Files.isSymbolicLink pays for an exception whenever the file does not exist.
        File parent = file.getParentFile();
        if (hopsLeft == 0 || file.exists() || parent == null || !parent.isDirectory()) {
            return path;
        }
        Path link = Path.of(path);
        if (!Files.isSymbolicLink(link)) {
            return path;
        }
        Path target = link.getParent() == null ? Files.readSymbolicLink(link) : link.getParent().resolve(Files.readSymbolicLink(link));
        String canonical = collapse(new File(collapse(target.toString())).getCanonicalPath());
        return danglingLinkTarget(canonical, hopsLeft - 1);
    }

    static String expandHome(String raw, String home) {
        if (raw.equals("~") || raw.startsWith("~/")) {
            return home + raw.substring(1);
        }
        if (raw.startsWith("~") && !raw.startsWith("~+") && !raw.startsWith("~-")) {
            int slash = raw.indexOf('/');
            String user = slash < 0 ? raw.substring(1) : raw.substring(1, slash);
            if (user.matches("[A-Za-z0-9._-]+")) {
                return (user.equals("root") ? "/root" : "/home/" + user) + (slash < 0 ? "" : raw.substring(slash));
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
