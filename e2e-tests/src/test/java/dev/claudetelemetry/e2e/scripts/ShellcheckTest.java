package dev.claudetelemetry.e2e.scripts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ShellcheckTest {

  @Test
  void shouldFindNothingInThePodScripts() throws Exception {
    // The shell comes from each file's shebang (or its shellcheck directive); -x follows the
    // sourced client.
    List<String> command =
        List.of(
            "shellcheck",
            "-x",
            "-S",
            "style",
            PodScript.path("claude-guard").toString(),
            PodScript.path("claude-hook").toString(),
            PodScript.path("hook-ingest.bash").toString(),
            PodScript.path("claude-transcript-sync").toString());
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(output).isZero();
    assertThat(output).isEmpty();
  }

  @Test
  void shouldBeExecutableScriptsThatIgnoreTheShellEnvironmentTheAgentControls() throws Exception {
    // The per-tool-call hooks are bash (its /dev/tcp spares a curl process) in privileged mode,
    // which imports
    // no functions and reads no BASH_ENV, SHELLOPTS or BASHOPTS; the transcript upload stays POSIX
    // sh + curl.
    for (String name : List.of("claude-guard", "claude-hook")) {
      assertThat(PodScript.path(name)).isExecutable();
      assertThat(java.nio.file.Files.readAllLines(PodScript.path(name)).get(0))
          .isEqualTo("#!/bin/bash -p");
    }
    assertThat(PodScript.path("claude-transcript-sync")).isExecutable();
    assertThat(java.nio.file.Files.readAllLines(PodScript.path("claude-transcript-sync")).get(0))
        .isEqualTo("#!/bin/sh");
    assertThat(java.nio.file.Files.readAllLines(PodScript.path("hook-ingest.bash")).get(0))
        .startsWith("# shellcheck shell=bash");
  }
}
