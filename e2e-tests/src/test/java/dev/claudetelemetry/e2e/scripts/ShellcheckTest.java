package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShellcheckTest {

  @Test
  void shouldFindNothingInThePodScripts() throws Exception {
    List<String> command = List.of("shellcheck", "-s", "sh", "-S", "style",
        PodScript.path("claude-guard").toString(), PodScript.path("claude-hook").toString(),
        PodScript.path("claude-transcript-sync").toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).isEmpty();
  }

  @Test
  void shouldBeExecutablePosixShellScripts() throws Exception {
    for (String name : List.of("claude-guard", "claude-hook", "claude-transcript-sync")) {
      assertThat(PodScript.path(name)).isExecutable();
      assertThat(java.nio.file.Files.readAllLines(PodScript.path(name)).get(0)).isEqualTo("#!/bin/sh");
    }
  }
}
