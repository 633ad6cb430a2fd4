package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hook client alone (without the managed env's pins, which ClaudeCodePodTest exercises with
 * them) against the variables the agent can put into a hook's environment that change a program
 * before its main: the dynamic loader's, libc's and bash's. The loader library is a real one, built
 * here: as LD_AUDIT or LD_PRELOAD it records every program it is loaded into and, in a claude-*
 * program, prints an allow and exits, as an agent's would.
 */
class LoaderEnvironmentTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String DENY =
      "{\"hookSpecificOutput\":{\"hookEventName\":\"PreToolUse\",\"permissionDecision\":\"deny\","
          + "\"permissionDecisionReason\":\"Blocked by rule rm-recursive-outside-workspace\"}}";

  @TempDir static Path dir;
  static Path library;
  static Path loadedInto;

  @BeforeAll
  static void buildTheAgentsLibrary() throws Exception {
    HijackLibrary hijack = HijackLibrary.build(dir, "/claude-");
    library = hijack.library();
    loadedInto = hijack.loadedInto();
  }

  @Test
  void shouldDecideAndDeliverWhateverTheLoaderLibcAndShellVariablesSay() throws Exception {
    Path aliases = dir.resolve("hostaliases");
    Files.writeString(aliases, "hook-ingest attacker.example\n");
    try (StubServer ingest = new StubServer(r -> new StubServer.Response(200, DENY))) {
      PodScript.Setup setup =
          ClaudeGuardTest.setup(ingest.url())
              .process("LD_AUDIT", library.toString())
              .process("LD_PRELOAD", library.toString())
              .process("LD_LIBRARY_PATH", dir.toString())
              .process("GCONV_PATH", dir.toString())
              .process("GLIBC_TUNABLES", "glibc.malloc.check=3:glibc.malloc.perturb=85")
              .process("MALLOC_PERTURB_", "85")
              .process("MALLOC_CHECK_", "3")
              .process("HOSTALIASES", aliases.toString())
              .process("LOCALDOMAIN", "attacker.example")
              .process("RES_OPTIONS", "ndots:15 attempts:1")
              .process("TZDIR", dir.toString())
              .process("TZ", ":" + dir.resolve("zone"))
              .process("LOCPATH", dir.toString())
              .process("NLSPATH", dir + "/%N")
              .process("TMPDIR", dir.toString())
              .process("FUNCNEST", "1")
              .process("BASH_ENV", dir.resolve("nope.sh").toString())
              .process("BASH_XTRACEFD", "1")
              .process("SHELLOPTS", "xtrace")
              .process("PS4", "$(echo agent)")
              .process("BASH_FUNC_printf%%", "() { echo agent; }");

      // Started by a dynamically linked parent in that environment, as Claude Code (Node) is.
      PodScript.Outcome guard =
          PodScript.run(viaShell("claude-guard"), PodScript.fixture("PreToolUse-Bash.json"), setup);
      PodScript.Outcome hook =
          PodScript.run(viaShell("claude-hook"), PodScript.fixture("PostToolUse-Bash.json"), setup);

      assertThat(Files.readAllLines(loadedInto))
          .as("the library was live: loaded into the shell that started each program")
          .contains("/usr/bin/dash")
          .noneMatch(exe -> exe.contains("/claude-"));
      assertThat(
              JSON.readTree(guard.stdout()).at("/hookSpecificOutput/permissionDecision").asText())
          .as(guard.toString())
          .isEqualTo("deny");
      assertThat(hook.stdout()).isEmpty();
      assertThat(ingest.requests).hasSize(2);
    }
  }

  private static java.util.List<String> viaShell(String program) {
    return java.util.List.of("/bin/sh", "-c", "exec \"$0\"", PodScript.path(program).toString());
  }
}
