package dev.claudetelemetry.policy.natives;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.policy.shell.BashAnalyzer;
import dev.claudetelemetry.treesitter.TreeSitterNatives;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.treesitter.utils.NativeUtils;

class OptimisedNativesTest {

  private static final List<String> GRAMMARS = List.of("", "-bash", "-python", "-javascript");

  @Test
  void theServiceParsesWithTheOptimisedLibrariesAndNotTheJars() throws Exception {
    // Bash, and the Python and JavaScript one-liners it carries: all three grammars and the core.
    BashAnalyzer analyzer = new BashAnalyzer(4, 64 * 1024);
    analyzer.analyze("python3 -c \"import os; os.remove('/etc/hosts')\"", "/w");
    analyzer.analyze("node -e \"require('fs').rmSync('/etc', {recursive: true})\"", "/w");

    List<Path> loaded = TreeSitterNatives.verifyLoaded();
    Path ours = TreeSitterNatives.directory().resolve("lib").toRealPath();
    String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : "aarch64";
    for (String grammar : GRAMMARS) {
      String name = arch + "-linux-gnu-tree-sitter" + grammar + ".so";
      assertThat(loaded).contains(ours.resolve(name));
      byte[] mapped = Files.readAllBytes(ours.resolve(name));
      try (InputStream jars =
          NativeUtils.class.getClassLoader().getResourceAsStream("lib/" + name)) {
        assertThat(jars).as("the tree-sitter-ng jar's " + name).isNotNull();
        assertThat(sha256(mapped)).as(name).isNotEqualTo(sha256(jars.readAllBytes()));
      }
    }
  }

  @Test
  void theOptimisedLibrariesParseTheCorpusExactlyAsTheJarsDo() throws Exception {
    String ours = treeDump("ours");
    String jars = treeDump("jar");
    assertThat(ours)
        .contains("TreeSitterBash abi=", "TreeSitterPython abi=", "TreeSitterJavascript abi=");
    assertThat(ours).containsPattern("texts=\\d{4,}");
    assertThat(ours).contains("loaded=[");
    assertThat(strip(ours)).isEqualTo(strip(jars));
  }

  /** Everything but the last line, which names the libraries loaded. */
  private static String strip(String dump) {
    return dump.substring(0, dump.lastIndexOf("loaded="));
  }

  private static String treeDump(String natives) throws IOException, InterruptedException {
    Path output = Files.createTempFile("tree-dump-" + natives, ".txt");
    try {
      Process dump =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  TreeDump.class.getName(),
                  natives,
                  "../policies/tests")
              .redirectOutput(output.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      assertThat(dump.waitFor(5, TimeUnit.MINUTES)).as("tree dump finished").isTrue();
      assertThat(dump.exitValue()).as("tree dump with the " + natives + " natives").isZero();
      return Files.readString(output, StandardCharsets.UTF_8);
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
