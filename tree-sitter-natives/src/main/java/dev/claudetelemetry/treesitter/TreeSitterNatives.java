package dev.claudetelemetry.treesitter;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Makes the tree-sitter-ng classes load this module's optimised JNI libraries, and only those.
 *
 * <p>tree-sitter-ng's loader takes its libraries from the directory named by the {@code
 * tree-sitter-lib} system property and, when a file is not there, silently from its own jars, whose
 * libraries are built without optimisation (several times slower to parse). So every use of a
 * tree-sitter class goes through {@link #load}: it points the property at a directory holding
 * exactly the libraries this build made (the one the property already names, as in the service
 * image, whose files must match; otherwise a private directory they are unpacked into), and after
 * the class has loaded its library it checks in {@code /proc/self/maps} that no tree-sitter library
 * from anywhere else is mapped. Anything else fails the caller loudly.
 */
public final class TreeSitterNatives {

  /** tree-sitter-ng's system property: the directory whose {@code lib/} holds the libraries. */
  public static final String PROPERTY = "tree-sitter-lib";

  /** The directories this class has checked or unpacked, in this JVM (real paths). */
  static final String VERIFIED = "claude-telemetry.tree-sitter-lib.verified";

  static final String RESOURCE_DIRECTORY = "claude-telemetry/tree-sitter/";
  static final String MANIFEST = "natives.sha256";
  private static final Pattern TREE_SITTER_LIBRARY = Pattern.compile(".*-linux-gnu-tree-sitter.*");
  // System.Logger, not JBoss Logging: the benchmarks put only the application's own jars on the
  // classpath; inside Quarkus it ends up in the same log through java.util.logging.
  private static final System.Logger LOG = System.getLogger(TreeSitterNatives.class.getName());

  private static Path directory;

  private TreeSitterNatives() {}

  /**
   * Creates a tree-sitter object (a language, a parser) after making sure its class will load this
   * build's library, and checks afterwards that it did.
   */
  public static <T> T load(Supplier<T> tsObject) {
    directory();
    T created = tsObject.get();
    verifyLoaded();
    return created;
  }

  /** The directory of this build's libraries the {@code tree-sitter-lib} property names. */
  public static synchronized Path directory() {
    if (directory == null) {
      Map<String, String> manifest = manifest();
      String configured = System.getProperty(PROPERTY);
      // A directory this class already chose in another class loader (Quarkus tests run the
      // application in their own) cannot serve this one: the JVM binds a library file to one class
      // loader, so each unpacks its own copy. A directory set from outside (the service image's
      // entry point) must hold exactly this build's libraries.
      Path chosen =
          configured == null || verifiedDirectories().contains(realPath(Path.of(configured)))
              ? unpacked(manifest)
              : verified(Path.of(configured), manifest);
      String others = System.getProperty(VERIFIED, "");
      System.setProperty(
          VERIFIED,
          (others.isEmpty() ? "" : others + File.pathSeparator) + realPath(chosen).toString());
      System.setProperty(PROPERTY, chosen.toString());
      directory = chosen;
      LOG.log(
          System.Logger.Level.INFO,
          "tree-sitter natives: the optimised build in {0} ({1})",
          chosen,
          String.join(", ", manifest.keySet()));
    }
    return directory;
  }

  /**
   * Fails unless every tree-sitter library mapped into this process is one of this build's, from a
   * directory whose files were checked against the build's digests. Returns those libraries.
   */
  public static List<Path> verifyLoaded() {
    directory();
    Set<Path> verified = verifiedDirectories();
    List<Path> loaded = loadedLibraries();
    for (Path library : loaded) {
      Path lib = library.getParent();
      if (lib == null || lib.getParent() == null || !verified.contains(lib.getParent())) {
        throw new IllegalStateException(
            "tree-sitter library "
                + library
                + " is loaded, not this build's optimised one from "
                + directory
                + ": a tree-sitter class was used before TreeSitterNatives.load");
      }
    }
    return loaded;
  }

  private static Set<Path> verifiedDirectories() {
    return Stream.of(System.getProperty(VERIFIED, "").split(Pattern.quote(File.pathSeparator)))
        .filter(path -> !path.isEmpty())
        .map(Path::of)
        .collect(Collectors.toSet());
  }

  /** The tree-sitter libraries mapped into this process, as {@code /proc/self/maps} names them. */
  public static List<Path> loadedLibraries() {
    try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
      return maps.map(line -> line.split("\\s+", 6))
          .filter(fields -> fields.length == 6 && fields[5].startsWith("/"))
          .map(fields -> Path.of(fields[5]))
          .filter(path -> TREE_SITTER_LIBRARY.matcher(path.getFileName().toString()).matches())
          .distinct()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the mapped libraries", e);
    }
  }

  /** Library file name to its SHA-256, from the manifest the build put beside the libraries. */
  static Map<String, String> manifest() {
    try (InputStream in = resource(MANIFEST)) {
      Map<String, String> digests = new LinkedHashMap<>();
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          String[] fields = line.trim().split("\\s+");
          digests.put(fields[1], fields[0]);
        }
      }
      if (digests.isEmpty()) {
        throw new IllegalStateException(RESOURCE_DIRECTORY + MANIFEST + " lists no library");
      }
      return digests;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The configured directory, if it holds exactly this build's libraries. */
  static Path verified(Path dir, Map<String, String> manifest) {
    for (Map.Entry<String, String> library : manifest.entrySet()) {
      Path file = dir.resolve("lib").resolve(library.getKey());
      String digest;
      try {
        digest = sha256(Files.readAllBytes(file));
      } catch (NoSuchFileException e) {
        throw new IllegalStateException(
            PROPERTY + "=" + dir + " lacks " + file + " (tree-sitter-natives' build)", e);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (!digest.equals(library.getValue())) {
        throw new IllegalStateException(
            file + " is not the library tree-sitter-natives built (sha256 " + digest + ")");
      }
    }
    return dir;
  }

  /** Unpacks this build's libraries into a new private directory. */
  static Path unpacked(Map<String, String> manifest) {
    try {
      Path dir = Files.createTempDirectory("claude-telemetry-tree-sitter");
      Path lib = Files.createDirectory(dir.resolve("lib"));
      // deleteOnExit removes in reverse order: the files first, then their directories.
      dir.toFile().deleteOnExit();
      lib.toFile().deleteOnExit();
      for (String name : manifest.keySet()) {
        Path file = lib.resolve(name);
        file.toFile().deleteOnExit();
        try (InputStream in = resource("lib/" + name)) {
          Files.copy(in, file);
        }
      }
      return verified(dir, manifest);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot unpack the tree-sitter libraries", e);
    }
  }

  private static InputStream resource(String name) {
    InputStream in =
        TreeSitterNatives.class.getClassLoader().getResourceAsStream(RESOURCE_DIRECTORY + name);
    if (in == null) {
      throw new IllegalStateException(
          RESOURCE_DIRECTORY
              + name
              + " is not on the classpath: tree-sitter-natives was built without its libraries");
    }
    return in;
  }

  private static Path realPath(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      return path.toAbsolutePath().normalize();
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
