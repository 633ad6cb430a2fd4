package dev.claudetelemetry.policy.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathsTest {

  @Test
  void shouldNormaliseHomeVariablesDotsAndRelativePaths() {
    assertThat(PathNormalizer.normalize("~/a/../b/./c/", "/w", "/home/u")).isEqualTo("/home/u/b/c");
    assertThat(PathNormalizer.normalize("$HOME", "/w", "/home/u")).isEqualTo("/home/u");
    assertThat(PathNormalizer.normalize("${HOME}/x", "/w", "/home/u")).isEqualTo("/home/u/x");
    assertThat(PathNormalizer.normalize("~bob/x", "/w", "/home/u")).isEqualTo("/home/bob/x");
    assertThat(PathNormalizer.normalize("../../..", "/w/a", "/home/u")).isEqualTo("/");
    assertThat(PathNormalizer.normalize("x//y", "~/w", "/home/u")).isEqualTo("/home/u/w/x/y");
  }

  @Test
  void shouldFollowSymlinksThatExistHere(@TempDir Path dir) throws IOException {
    Path target = Files.createDirectories(dir.resolve("real"));
    Files.createSymbolicLink(dir.resolve("link"), target);
    String link = dir.resolve("link/secret").toString();

    assertThat(new SymlinkResolver().resolve(link, true))
        .contains(target.toRealPath().resolve("secret").toString());
    assertThat(new PathNormalizer(false).newResolver()).as("following symlinks is off").isNull();
    assertThat(new SymlinkResolver().resolve(dir.toRealPath().resolve("real/x").toString(), true))
        .isEmpty();
  }

  @Test
  void shouldFollowDanglingSymlinksToWhatWritingThroughThemWouldCreate(@TempDir Path dir)
      throws IOException {
    Path secrets = Files.createDirectories(dir.resolve("home/.ssh"));
    Path workspace = Files.createDirectories(dir.resolve("workspace"));
    Files.createSymbolicLink(workspace.resolve("keys"), secrets.resolve("authorized_keys"));
    Files.createSymbolicLink(workspace.resolve("hop"), workspace.resolve("keys"));
    Files.createSymbolicLink(workspace.resolve("loop"), workspace.resolve("loop"));
    String expected = secrets.toRealPath().resolve("authorized_keys").toString();

    PathNormalizer normalizer = new PathNormalizer(true);
    assertThat(
            normalizer
                .newResolver()
                .resolve(workspace.toRealPath().resolve("keys").toString(), true))
        .contains(expected);
    assertThat(
            normalizer
                .newResolver()
                .resolve(workspace.toRealPath().resolve("hop").toString(), true))
        .contains(expected);
    assertThat(
            normalizer
                .newResolver()
                .resolve(workspace.toRealPath().resolve("loop").toString(), true))
        .as("a loop ends without an answer")
        .isEmpty();
    assertThat(
            normalizer
                .newResolver()
                .resolve(workspace.toRealPath().resolve("new-file").toString(), true))
        .isEmpty();
    assertThat(
            new SymlinkResolver().resolve(workspace.toRealPath().resolve("keys").toString(), false))
        .as("reading through a dangling link reads nothing")
        .isEmpty();
  }

  @Test
  void shouldFollowRelativeLinksLinkedDirectoriesAndStopAtLoops(@TempDir Path dir)
      throws IOException {
    Path real = dir.toRealPath();
    Files.createDirectories(real.resolve("home/.aws"));
    Files.createDirectories(real.resolve("workspace/sub"));
    Files.createSymbolicLink(real.resolve("workspace/sub/up"), Path.of("../../home"));
    Files.createSymbolicLink(real.resolve("workspace/a"), Path.of("b"));
    Files.createSymbolicLink(real.resolve("workspace/b"), Path.of("a"));

    SymlinkResolver resolver = new SymlinkResolver();
    assertThat(resolver.resolve(real + "/workspace/sub/up/.aws/credentials", false))
        .contains(real + "/home/.aws/credentials");
    assertThat(resolver.resolve(real + "/workspace/sub/up/.aws", false))
        .contains(real + "/home/.aws");
    assertThat(resolver.resolve(real + "/workspace/sub/missing/x/y", true)).isEmpty();
    assertThat(resolver.resolve(real + "/workspace/a/x", true))
        .as("a loop ends without an answer or an error")
        .isEmpty();
    assertThat(resolver.resolve("relative/path", true)).isEmpty();
  }

  @Test
  void shouldMatchGlobsWithDoubleStarBracesAndHome() {
    assertThat(Glob.of("**/.env").matches("/a/b/.env", "/h")).isTrue();
    assertThat(Glob.of("**/.env").matches("/.env", "/h")).isTrue();
    assertThat(Glob.of("**/.env").matches("/a/x.env", "/h")).isFalse();
    assertThat(Glob.of("/etc/claude-code/**").matches("/etc/claude-code", "/h")).isTrue();
    assertThat(Glob.of("/etc/claude-code/**").matches("/etc/claude-code/a/b.json", "/h")).isTrue();
    assertThat(Glob.of("/etc/claude-code/**").matches("/etc/claude-codex", "/h")).isFalse();
    assertThat(Glob.of("~/.ssh/id_*").matches("/home/u/.ssh/id_rsa", "/home/u")).isTrue();
    assertThat(Glob.of("~/.ssh/id_*").matches("/home/v/.ssh/id_rsa", "/home/u")).isFalse();
    assertThat(Glob.of("/dev/{sd,vd}*").matches("/dev/vda", "/h")).isTrue();
    assertThat(Glob.of("/home/*/workspace").matches("/home/u/workspace", "/h")).isTrue();
    assertThat(Glob.of("/home/*/workspace").matches("/home/u/x/workspace", "/h")).isFalse();
    assertThat(Glob.of("/a/file[0-9].txt").matches("/a/file7.txt", "/h")).isTrue();
    assertThat(Glob.of("/a+b/(c)").matches("/a+b/(c)", "/h")).isTrue();
    assertThat(Glob.of("~").matches("/home/u", "/home/u")).isTrue();
    assertThat(Glob.of("$HOME/.bashrc").matches("/home/u/.bashrc", "/home/u")).isTrue();
    assertThat(Glob.of("~/.bashrc").matches("/home/u/x/.bashrc", "/home/u")).isFalse();
    assertThat(Glob.of("~/.bashrc").matches("/home/u*/.bashrc", "/home/u*"))
        .as("home is literal text")
        .isTrue();
    assertThat(Glob.of("~/.bashrc").matches("/home/ux/.bashrc", "/home/u*")).isFalse();
    assertThat(Glob.of("**/.ssh/*_key").matches("/etc/ssh/.ssh/host_key", "/h")).isTrue();
    assertThat(Glob.of("**/.ssh/*_key").matches("/etc/ssh/.ssh/host_key.pub", "/h")).isFalse();
    assertThat(Glob.of("/etc/claude-code/").matches("/etc/claude-code", "/h")).isTrue();
  }

  @Test
  void shouldRefuseRelativeAndUnbalancedPatterns() {
    assertThatThrownBy(() -> Glob.of(".env")).hasMessageContaining("must start with");
    assertThatThrownBy(() -> Glob.of("/a/{b,c")).hasMessageContaining("unbalanced");
  }

  @Test
  void shouldFollowLinksTheCommandCreatesWithoutAnyFileSystem() {
    LexicalLinks links = new LexicalLinks();
    links.add("/w/k", "/home/u/.ssh");
    links.add("/w/a", "/w/k");
    links.add("/w/loop", "/w/loop/x");

    assertThat(links.resolve("/w/k/id_rsa")).contains("/home/u/.ssh/id_rsa");
    assertThat(links.resolve("/w/a/config")).contains("/home/u/.ssh/config");
    assertThat(links.resolve("/w/kk")).isEmpty();
    assertThat(links.resolve("/w/loop")).isPresent();
    assertThat(new LexicalLinks().resolve("/w/k")).isEmpty();
  }
}
