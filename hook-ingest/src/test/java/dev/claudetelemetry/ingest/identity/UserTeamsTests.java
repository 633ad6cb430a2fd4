package dev.claudetelemetry.ingest.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.testsupport.SecretMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The user→team file as the chart mounts it (a ConfigMap volume, swapped on each update). */
class UserTeamsTests {

  private static final String KEY = "user-teams.json";

  private static UserTeams teams(SecretMount mount) {
    UserTeams teams = new UserTeams(Optional.of(mount.dir().resolve(KEY)), Duration.ofHours(1));
    teams.reload();
    return teams;
  }

  @Test
  void shouldGiveEachUserTheTeamTheFileNamesAndNoneToEveryoneElse(@TempDir Path dir) {
    SecretMount mount =
        new SecretMount(dir).write(Map.of(KEY, "{\"alice\":\"platform\",\"bob\":\"data\"}"));
    UserTeams teams = teams(mount);

    assertThat(teams.of("alice")).isEqualTo("platform");
    assertThat(teams.of("bob")).isEqualTo("data");
    assertThat(teams.of("carol")).isEqualTo("none");
    assertThat(teams.of(UserLabels.UNKNOWN)).isEqualTo("none");
    assertThat(teams.of(UserLabels.INVALID)).isEqualTo("none");
  }

  @Test
  void shouldFollowAnUpdateOfTheMount(@TempDir Path dir) {
    SecretMount mount = new SecretMount(dir).write(Map.of(KEY, "{\"alice\":\"platform\"}"));
    UserTeams teams = teams(mount);

    mount.write(Map.of(KEY, "{\"alice\":\"data\",\"bob\":\"platform\"}"));
    teams.reload();

    assertThat(teams.of("alice")).isEqualTo("data");
    assertThat(teams.of("bob")).isEqualTo("platform");
  }

  @Test
  void shouldKeepTheTeamsItHasWhenTheFileBecomesUnreadable(@TempDir Path dir) throws Exception {
    SecretMount mount = new SecretMount(dir).write(Map.of(KEY, "{\"alice\":\"platform\"}"));
    UserTeams teams = teams(mount);

    for (String broken : new String[] {"{\"alice\": ", "[\"alice\"]", "null", ""}) {
      mount.write(Map.of(KEY, broken));
      teams.reload();
      assertThat(teams.of("alice")).as(broken).isEqualTo("platform");
    }
    mount.write(Map.of(KEY, " ".repeat(UserTeams.MAX_FILE_BYTES) + "{}"));
    teams.reload();
    assertThat(teams.of("alice")).as("a file beyond the size limit").isEqualTo("platform");
    mount.write(Map.of("other-key", "{}"));
    teams.reload();
    assertThat(teams.of("alice")).as("the file gone").isEqualTo("platform");
  }

  @Test
  void shouldLeaveOutEntriesThatAreNoValidLabelValues(@TempDir Path dir) {
    SecretMount mount =
        new SecretMount(dir)
            .write(
                Map.of(
                    KEY,
                    """
                    {"alice": "platform", "bob": "Data Science", "carol": "none", "dave": "unknown",
                     "erin": 7, "frank": {"team": "x"}, "Grace": "platform",
                     "heidi": "%s", "ivan": "ops"}
                    """
                        .formatted("a".repeat(41))));
    UserTeams teams = teams(mount);

    assertThat(teams.of("alice")).isEqualTo("platform");
    assertThat(teams.of("ivan")).isEqualTo("ops");
    for (String user : new String[] {"bob", "carol", "dave", "erin", "frank", "heidi"}) {
      assertThat(teams.of(user)).as(user).isEqualTo("none");
    }
    assertThat(teams.of("grace")).as("user names are lower case").isEqualTo("none");
  }

  @Test
  void shouldGiveEveryoneNoneWithoutAFileOrBeforeOneExists(@TempDir Path dir) throws Exception {
    assertThat(new UserTeams(Optional.empty(), Duration.ofSeconds(1)).of("alice"))
        .isEqualTo("none");
    UserTeams missing = new UserTeams(Optional.of(dir.resolve("absent.json")), Duration.ofHours(1));
    missing.reload();
    assertThat(missing.of("alice")).isEqualTo("none");
    Files.writeString(dir.resolve("absent.json"), "{\"alice\":\"platform\"}");
    missing.reload();
    assertThat(missing.of("alice")).isEqualTo("platform");
  }
}
