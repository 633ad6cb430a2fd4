package dev.claudetelemetry.treesitter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeSitterNativesTest {

  private final Map<String, String> manifest = TreeSitterNatives.manifest();

  @Test
  void theBuildShipsTheCoreAndThreeGrammars() {
    String arch = System.getProperty("os.arch").equals("amd64") ? "x86_64" : "aarch64";
    assertThat(manifest)
        .containsOnlyKeys(
            arch + "-linux-gnu-tree-sitter.so",
            arch + "-linux-gnu-tree-sitter-bash.so",
            arch + "-linux-gnu-tree-sitter-python.so",
            arch + "-linux-gnu-tree-sitter-javascript.so");
    assertThat(manifest.values()).allMatch(digest -> digest.matches("[0-9a-f]{64}"));
  }

  @Test
  void unpacksTheLibrariesTheManifestNames() throws IOException {
    Path dir = TreeSitterNatives.unpacked(manifest);
    for (Map.Entry<String, String> library : manifest.entrySet()) {
      byte[] bytes = Files.readAllBytes(dir.resolve("lib").resolve(library.getKey()));
      assertThat(TreeSitterNatives.sha256(bytes)).isEqualTo(library.getValue());
    }
  }

  @Test
  void refusesTheJarsOwnLibraries() {
    // target/upstream holds the tree-sitter-ng jars' libraries, unpacked by the build for `make
    // check`.
    Path jarNatives = Path.of("target/upstream");
    assertThat(jarNatives.resolve("lib")).isDirectory();
    assertThatThrownBy(() -> TreeSitterNatives.verified(jarNatives, manifest))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is not the library tree-sitter-natives built");
  }

  @Test
  void refusesADirectoryWithoutTheLibraries(@TempDir Path empty) {
    assertThatThrownBy(() -> TreeSitterNatives.verified(empty, manifest))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("lacks");
  }
}
