package dev.claudetelemetry.servicesupport.auth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.testsupport.SecretMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserTokenDirectoryTests {

  private static final String ALICE = "alice-token-0123456789abcdef";
  private static final String BOB = "bob-token-0123456789abcdef";
  private static final String SERVICE = "service-token-0123456789abcdef";

  @TempDir Path temp;

  private final List<String> log = new ArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          synchronized (log) {
            log.add(record.getLevel() + " " + format(record));
          }
        }

        private String format(LogRecord record) {
          Object[] parameters = record.getParameters();
          String message = record.getMessage();
          return parameters == null ? message : String.format(message, parameters);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeEach
  void captureLog() {
    Logger.getLogger(UserTokenDirectory.class.getName()).addHandler(capture);
  }

  @AfterEach
  void releaseLog() {
    Logger.getLogger(UserTokenDirectory.class.getName()).removeHandler(capture);
  }

  private SecretMount mount(Map<String, String> files) {
    return new SecretMount(temp.resolve("user-tokens")).write(files);
  }

  private static UserTokenDirectory directory(SecretMount mount) {
    UserTokenDirectory tokens =
        new UserTokenDirectory(mount.dir(), List.of(SERVICE), Duration.ofSeconds(60));
    tokens.reload();
    return tokens;
  }

  private List<String> logLines() {
    synchronized (log) {
      return new ArrayList<>(log);
    }
  }

  @Test
  void shouldReadASecretMountIgnoringHiddenEntriesAndTheTrailingNewline() {
    SecretMount mount = mount(Map.of("alice", ALICE + "\n", "bob", BOB));
    assertThat(mount.isSecretLayout("alice")).isTrue();

    UserTokenDirectory tokens = directory(mount);

    assertThat(tokens.users()).isEqualTo(2);
    assertThat(tokens.userOf(ALICE)).contains("alice");
    assertThat(tokens.userOf(BOB)).contains("bob");
    assertThat(tokens.userOf(ALICE + "\n")).isEmpty();
    assertThat(tokens.userOf(ALICE.substring(0, ALICE.length() - 1))).isEmpty();
    assertThat(tokens.userOf(ALICE + "x")).isEmpty();
    assertThat(tokens.userOf("")).isEmpty();
    assertThat(tokens.userOf(null)).isEmpty();
    assertThat(tokens.userOf(SERVICE)).isEmpty();
    assertThat(logLines()).anyMatch(line -> line.contains("2 user(s) [alice, bob]"));
  }

  @Test
  void shouldFollowAnAtomicSymlinkSwapOfTheWholeSecret() {
    SecretMount mount = mount(Map.of("alice", ALICE, "bob", BOB));
    UserTokenDirectory tokens = directory(mount);
    String rotated = "alice-rotated-0123456789abcdef";

    mount.write(Map.of("alice", rotated, "carol", "carol-token-0123456789abcdef"));
    tokens.reload();

    assertThat(tokens.userOf(rotated)).contains("alice");
    assertThat(tokens.userOf(ALICE)).as("the old token after rotation").isEmpty();
    assertThat(tokens.userOf(BOB)).as("a removed user").isEmpty();
    assertThat(tokens.userOf("carol-token-0123456789abcdef")).contains("carol");
    assertThat(logLines())
        .anyMatch(line -> line.contains("changed: [alice, carol, bob (removed)]"));
  }

  @Test
  void shouldPickUpARotatedFileWithoutBeingAskedOnceStarted() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("plain"));
    Files.writeString(dir.resolve("alice"), ALICE);
    String rotated = "alice-rotated-0123456789abcdef";
    try (UserTokenDirectory tokens =
        new UserTokenDirectory(dir, List.of(SERVICE), Duration.ofMillis(50))) {
      tokens.start();
      assertThat(tokens.userOf(ALICE)).contains("alice");

      Files.writeString(dir.resolve("alice"), rotated + "\n");

      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(tokens.userOf(rotated)).contains("alice"));
      assertThat(tokens.userOf(ALICE)).isEmpty();
    }
  }

  @Test
  void shouldLookAtAttributesBetweenReadingsAndStillReadEveryFullReadEveryLooks() throws Exception {
    Path dir = Files.createDirectories(temp.resolve("looks"));
    Path alice = dir.resolve("alice");
    Files.writeString(alice, ALICE);
    UserTokenDirectory tokens =
        new UserTokenDirectory(dir, List.of(SERVICE), Duration.ofSeconds(60));
    tokens.reload();
    // A rewrite that keeps the size and, as within one tick of the file system's clock, the time.
    String sameLength = "B" + ALICE.substring(1);
    FileTime written = Files.getLastModifiedTime(alice);
    Files.writeString(alice, sameLength);
    Files.setLastModifiedTime(alice, written);

    for (int look = 1; look < UserTokenDirectory.FULL_READ_EVERY; look++) {
      tokens.reloadIfChanged();
      assertThat(tokens.userOf(ALICE)).as("look %d: nothing seemed to change", look).isPresent();
    }
    tokens.reloadIfChanged();
    assertThat(tokens.userOf(sameLength)).as("the full read").contains("alice");
    assertThat(tokens.userOf(ALICE)).isEmpty();

    // Any attribute that changes is seen at the next look.
    String rotated = "alice-rotated-0123456789abcdef";
    Files.writeString(alice, rotated);
    tokens.reloadIfChanged();
    assertThat(tokens.userOf(rotated)).contains("alice");
    Files.writeString(dir.resolve("bob"), BOB);
    tokens.reloadIfChanged();
    assertThat(tokens.userOf(BOB)).contains("bob");
  }

  @Test
  void shouldRefuseEmptyBlankShortAndMalformedTokensAndSayWhy() {
    UserTokenDirectory tokens =
        directory(
            mount(
                Map.of(
                    "alice", ALICE,
                    "empty", "",
                    "newline", "\n",
                    "blank", "   \t \n",
                    "short", "0123456789abcde\n",
                    "inner", "abc def 0123456789abcdef",
                    "Upper", BOB)));

    assertThat(tokens.users()).isEqualTo(1);
    assertThat(tokens.userOf(ALICE)).contains("alice");
    assertThat(tokens.userOf("0123456789abcde")).isEmpty();
    assertThat(tokens.userOf("abc def 0123456789abcdef")).isEmpty();
    assertThat(tokens.userOf("")).isEmpty();
    assertThat(tokens.userOf("   \t ")).isEmpty();
    assertThat(tokens.userOf(BOB)).as("a file name that is no user name").isEmpty();
    List<String> lines = logLines();
    assertThat(lines).anyMatch(l -> l.contains("'empty'") && l.contains("the token is empty"));
    assertThat(lines).anyMatch(l -> l.contains("'newline'") && l.contains("the token is empty"));
    assertThat(lines).anyMatch(l -> l.contains("'blank'") && l.contains("the token is empty"));
    assertThat(lines).anyMatch(l -> l.contains("'short'") && l.contains("shorter than 16"));
    assertThat(lines).anyMatch(l -> l.contains("'inner'") && l.contains("whitespace"));
    assertThat(lines).anyMatch(l -> l.contains("'Upper'") && l.contains("not a user name"));
    assertThat(lines).noneMatch(l -> l.contains(ALICE) || l.contains(BOB));
  }

  @Test
  void shouldRefuseATokenTwoUsersShareForBothWithAClearLog() {
    UserTokenDirectory tokens =
        directory(mount(Map.of("alice", ALICE, "bob", ALICE + "\n", "carol", BOB)));

    assertThat(tokens.userOf(ALICE)).as("nobody can be told apart").isEmpty();
    assertThat(tokens.userOf(BOB)).contains("carol");
    assertThat(logLines())
        .anyMatch(
            l ->
                l.startsWith("ERROR")
                    && l.contains("'alice'")
                    && l.contains("the same token is in the files of alice, bob"))
        .anyMatch(l -> l.contains("'bob'") && l.contains("alice, bob"))
        .noneMatch(l -> l.contains(ALICE));
  }

  @Test
  void shouldRefuseAUserFileHoldingAServiceToken() {
    UserTokenDirectory tokens = directory(mount(Map.of("alice", ALICE, "mallory", SERVICE)));

    assertThat(tokens.userOf(SERVICE)).isEmpty();
    assertThat(tokens.userOf(ALICE)).contains("alice");
    assertThat(logLines()).anyMatch(l -> l.contains("'mallory'") && l.contains("service token"));
  }

  @Test
  void shouldKeepTheLastTokensWhenTheDirectoryGoesAwayAndAcceptNoneWhenItNeverExisted()
      throws Exception {
    SecretMount mount = mount(Map.of("alice", ALICE));
    UserTokenDirectory tokens = directory(mount);
    Path moved = temp.resolve("moved");
    Files.move(mount.dir(), moved);

    tokens.reload();

    assertThat(tokens.userOf(ALICE)).contains("alice");
    assertThat(logLines()).anyMatch(l -> l.contains("kept the tokens read before"));

    UserTokenDirectory missing =
        new UserTokenDirectory(temp.resolve("never"), List.of(), Duration.ofSeconds(60));
    missing.reload();
    assertThat(missing.users()).isZero();
    assertThat(missing.userOf(ALICE)).isEqualTo(Optional.empty());
    assertThat(logLines()).anyMatch(l -> l.contains("no user token is accepted"));
  }

  @Test
  void shouldLogOnlyWhatChanged() {
    SecretMount mount = mount(Map.of("alice", ALICE, "short", "x"));
    UserTokenDirectory tokens = directory(mount);
    int afterFirst = logLines().size();

    tokens.reload();
    tokens.reload();

    assertThat(logLines()).hasSize(afterFirst);
  }
}
