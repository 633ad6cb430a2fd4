package dev.claudetelemetry.policy.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The prefilter that spares the parse ({@link InterpreterCode#mayAct}) never hides an effect: every
 * call the readers act on passes it, and code it turns away gives no effect when read in full.
 */
class PrefilterTest {

  private static final List<String> PYTHON_CALLS =
      List.of(
          "shutil.rmtree('/x')",
          "os.remove('/x')",
          "os.unlink('/x')",
          "os.rmdir('/x')",
          "os.removedirs('/x')",
          "os.truncate('/x', 0)",
          "shutil.move('/x', '/y')",
          "os.rename('/x', '/y')",
          "os.replace('/x', '/y')",
          "os.renames('/x', '/y')",
          "shutil.copy('/x', '/y')",
          "shutil.copy2('/x', '/y')",
          "shutil.copyfile('/x', '/y')",
          "shutil.copytree('/x', '/y')",
          "open('/x')",
          "io.open('/x')",
          "codecs.open('/x')",
          "exec(c)",
          "eval(c)",
          "compile(c, 'f', 'exec')",
          "os.execv('/bin/rm', ['rm', '/x'])",
          "os.execl('/bin/rm', 'rm', '/x')",
          "os.spawnv(os.P_WAIT, '/bin/rm', ['rm', '/x'])",
          "os.spawnlp(os.P_WAIT, 'rm', 'rm', '/x')",
          "os.system('rm /x')",
          "os.popen('rm /x')",
          "subprocess.getoutput('rm /x')",
          "subprocess.getstatusoutput('rm /x')",
          "commands.getoutput('rm /x')",
          "pty.spawn('rm /x')",
          "subprocess.run('rm /x')",
          "subprocess.call('rm /x')",
          "subprocess.check_call('rm /x')",
          "subprocess.check_output('rm /x')",
          "subprocess.Popen('rm /x')",
          "Path('/x').unlink()",
          "Path('/x').rmdir()",
          "Path('/x').write_text('')",
          "Path('/x').write_bytes(b'')",
          "Path('/x').touch()",
          "Path('/x').read_text()",
          "Path('/x').read_bytes()",
          "Path('/x').rename('/y')",
          "Path('/x').replace('/y')",
          "Path('/x').open('w')");
  private static final List<String> JAVASCRIPT_CALLS =
      List.of(
          "rmSync('/x')",
          "rm('/x')",
          "rmdirSync('/x')",
          "rmdir('/x')",
          "unlinkSync('/x')",
          "unlink('/x')",
          "writeFileSync('/x', '')",
          "writeFile('/x', '')",
          "appendFileSync('/x', '')",
          "appendFile('/x', '')",
          "createWriteStream('/x')",
          "truncateSync('/x')",
          "truncate('/x')",
          "readFileSync('/x')",
          "readFile('/x')",
          "createReadStream('/x')",
          "openSync('/x')",
          "open('/x')",
          "copyFileSync('/x', '/y')",
          "copyFile('/x', '/y')",
          "cpSync('/x', '/y')",
          "cp('/x', '/y')",
          "renameSync('/x', '/y')",
          "rename('/x', '/y')");
  private static final List<String> CHILD_PROCESS =
      List.of("execSync", "exec", "spawn", "spawnSync", "execFile", "execFileSync");
  private static final List<String> DENO_AND_BUN =
      List.of(
          "Deno.removeSync('/x')",
          "Deno.remove('/x')",
          "Deno.writeTextFileSync('/x', '')",
          "Deno.writeTextFile('/x', '')",
          "Deno.writeFileSync('/x', u)",
          "Deno.writeFile('/x', u)",
          "Deno.readTextFileSync('/x')",
          "Deno.readTextFile('/x')",
          "Deno.readFileSync('/x')",
          "Deno.readFile('/x')",
          "new Deno.Command('rm', {args: ['/x']})",
          "Bun.write('/x', '')",
          "Bun.file('/x')",
          "Bun.spawn(['rm', '/x'])",
          "Bun.spawnSync(['rm', '/x'])",
          "eval(c)",
          "Function(c)");
  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyz()[]{}<>'\"`$@#%&*+-=/\\.,;:!?~ \n\t0123456789_";

  @Test
  void shouldLetEveryCallTheReadersActOnThrough() {
    for (String call : PYTHON_CALLS) {
      String code =
          "import os, io, codecs, shutil, subprocess, commands, pty\n"
              + "from pathlib import Path\n"
              + call;
      assertThat(read(Language.PYTHON, code)).as(code).isNotEmpty();
      assertThat(InterpreterCode.mayAct(Language.PYTHON, call)).as(call).isTrue();
    }
    List<String> javascript = new ArrayList<>(DENO_AND_BUN);
    for (String call : JAVASCRIPT_CALLS) {
      javascript.add("require('fs')." + call);
      javascript.add("require('fs').promises." + call);
    }
    for (String name : CHILD_PROCESS) {
      javascript.add("require('child_process')." + name + "('rm /x')");
    }
    for (String code : javascript) {
      assertThat(read(Language.JAVASCRIPT, code)).as(code).isNotEmpty();
      // the call without the require that names its module
      String call = code.startsWith("require(") ? code.substring(code.indexOf(')') + 1) : code;
      assertThat(InterpreterCode.mayAct(Language.JAVASCRIPT, call)).as(call).isTrue();
    }
  }

  @Test
  void shouldTurnAwayOnlyCodeThatGivesNoEffect() {
    Random random = new Random(20261207L);
    List<String> seeds = new ArrayList<>(PYTHON_CALLS);
    seeds.addAll(JAVASCRIPT_CALLS);
    seeds.addAll(DENO_AND_BUN);
    seeds.add("from os import system as s; s('x')");
    seeds.add("const {execSync: x} = require('child_process'); x('rm -rf /')");
    int turnedAway = 0;
    for (int round = 0; round < 3000; round++) {
      String code =
          random.nextInt(3) == 0
              ? random(random)
              : mutate(random, seeds.get(random.nextInt(seeds.size())));
      for (Language language : List.of(Language.PYTHON, Language.JAVASCRIPT)) {
        if (!InterpreterCode.mayAct(language, code)) {
          turnedAway++;
          assertThat(read(language, code)).as(language + ": " + code).isEmpty();
        }
      }
    }
    assertThat(turnedAway).as("the mutations reach code the prefilter turns away").isPositive();
  }

  /** The reader without the prefilter; only what it finds, not a failure to read. */
  private static List<Effect> read(Language language, String code) {
    List<Effect> effects = new ArrayList<>();
    try {
      if (language == Language.PYTHON) {
        PythonCode.analyze(code, effects, 0);
      } else {
        JavaScriptCode.analyze(code, effects, 0);
      }
    } catch (RuntimeException | StackOverflowError e) {
      return List.of();
    }
    return effects;
  }

  private static String random(Random random) {
    StringBuilder out = new StringBuilder();
    int length = random.nextInt(60);
    for (int i = 0; i < length; i++) {
      out.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return out.toString();
  }

  /** Deletes or replaces a few characters, so that words break while calls stay calls. */
  private static String mutate(Random random, String seed) {
    StringBuilder out = new StringBuilder(seed);
    int mutations = 1 + random.nextInt(4);
    for (int i = 0; i < mutations && out.length() > 0; i++) {
      int at = random.nextInt(out.length());
      if (random.nextBoolean()) {
        out.deleteCharAt(at);
      } else {
        out.setCharAt(at, ALPHABET.charAt(random.nextInt(ALPHABET.length())));
      }
    }
    return out.toString();
  }
}
