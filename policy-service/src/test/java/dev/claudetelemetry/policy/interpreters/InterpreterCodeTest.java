package dev.claudetelemetry.policy.interpreters;

import static org.assertj.core.api.Assertions.assertThat;

import dev.claudetelemetry.policy.interpreters.Effect.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterpreterCodeTest {

  private static List<Effect> python(String code) {
    return InterpreterCode.effects(Language.PYTHON, code);
  }

  private static List<Effect> js(String code) {
    return InterpreterCode.effects(Language.JAVASCRIPT, code);
  }

  private static Effect path(Kind kind, String path) {
    return Effect.onPath(kind, path);
  }

  @Test
  void shouldFindPythonDeletesWithImportsAliasesAndComputedLiterals() {
    assertThat(python("import shutil\nshutil.rmtree('/etc')"))
        .containsExactly(path(Kind.DELETE_TREE, "/etc"));
    assertThat(python("from shutil import rmtree as r; r(f'/x/{\"y\"}')"))
        .containsExactly(path(Kind.DELETE_TREE, "/x/y"));
    assertThat(python("import os as o; o.remove(o.path.join('/a', 'b'))"))
        .containsExactly(path(Kind.DELETE, "/a/b"));
    assertThat(python("__import__('os').unlink('/p')")).containsExactly(path(Kind.DELETE, "/p"));
    assertThat(python("d = '/q'; import os; os.rmdir(d)"))
        .containsExactly(path(Kind.REMOVE_DIRECTORY, "/q"));
    assertThat(python("from pathlib import Path; (Path.home() / '.ssh').joinpath('k').unlink()"))
        .containsExactly(path(Kind.DELETE, "~/.ssh/k"));
  }

  @Test
  void shouldFindPythonReadsWritesAndCommands() {
    assertThat(python("open('.env').read()")).containsExactly(path(Kind.READ, ".env"));
    assertThat(python("open('/f', 'w')")).containsExactly(path(Kind.WRITE, "/f"));
    assertThat(python("open('/f', mode='a+')"))
        .containsExactly(path(Kind.READ, "/f"), path(Kind.WRITE, "/f"));
    assertThat(python("import os; os.system('rm ' + '-rf /')"))
        .containsExactly(Effect.shell("rm -rf /"));
    assertThat(python("import subprocess as sp; sp.run(['rm', '-rf', '/'])"))
        .containsExactly(Effect.exec(List.of("rm", "-rf", "/")));
    assertThat(python("exec('import os\\nos.remove(\"/z\")')"))
        .containsExactly(path(Kind.DELETE, "/z"));
  }

  @Test
  void shouldCallComputedArgumentsOpaqueAndLeaveHarmlessCodeAlone() {
    assertThat(python("import os,sys; os.remove(sys.stdin.read())"))
        .extracting(Effect::kind)
        .containsExactly(Kind.OPAQUE);
    assertThat(python("import os; os.system(input())"))
        .extracting(Effect::kind)
        .containsExactly(Kind.OPAQUE);
    assertThat(python("import sys; open(sys.argv[1]).read()")).isEmpty();
    assertThat(python("print(1); x=[1]; x.remove(1); 'a'.replace('a','b')")).isEmpty();
  }

  @Test
  void shouldFindJavaScriptCallsThroughRequireImportAndDestructuring() {
    assertThat(js("require('fs').rmSync('/etc', {recursive: true})"))
        .containsExactly(path(Kind.DELETE_TREE, "/etc"));
    assertThat(js("const fs = require('node:fs/promises'); fs.rm('/a')"))
        .containsExactly(path(Kind.DELETE, "/a"));
    assertThat(js("import {unlinkSync as u} from 'fs'; u(`${require('os').homedir()}/.x`)"))
        .containsExactly(path(Kind.DELETE, "~/.x"));
    assertThat(js("const {execSync} = require('child_process'); execSync('rm -rf ' + '/')"))
        .containsExactly(Effect.shell("rm -rf /"));
    assertThat(js("require('child_process').spawn('rm', ['-rf', '/v'])"))
        .containsExactly(Effect.exec(List.of("rm", "-rf", "/v")));
    assertThat(js("require('fs').readFileSync(require('path').join(process.env.HOME, '.npmrc'))"))
        .containsExactly(path(Kind.READ, "~/.npmrc"));
    assertThat(js("eval(\"require('fs').unlinkSync('/e')\")"))
        .containsExactly(path(Kind.DELETE, "/e"));
  }

  @Test
  void shouldLeaveHarmlessJavaScriptAloneAndCallComputedArgumentsOpaque() {
    assertThat(js("console.log(1); /x/.exec('x'); [1].map(String)")).isEmpty();
    assertThat(js("require('fs').rmSync(process.env.T, {recursive: true})"))
        .extracting(Effect::kind)
        .containsExactly(Kind.OPAQUE);
  }

  @Test
  void shouldReadPerlRubyAndPhpCalls() {
    assertThat(InterpreterCode.effects(Language.PERL, "unlink glob('/etc/*'), '/x'"))
        .containsExactly(path(Kind.DELETE, "/etc/*"), path(Kind.DELETE, "/x"));
    assertThat(InterpreterCode.effects(Language.PERL, "open(F, '>' , $ENV{HOME} . '/.bashrc')"))
        .containsExactly(path(Kind.WRITE, "~/.bashrc"));
    assertThat(InterpreterCode.effects(Language.PERL, "print qx{rm -rf /}"))
        .containsExactly(Effect.shell("rm -rf /"));
    assertThat(InterpreterCode.effects(Language.RUBY, "FileUtils.rm_rf ['/a', '/b'], secure: true"))
        .containsExactly(path(Kind.DELETE_TREE, "/a"), path(Kind.DELETE_TREE, "/b"));
    assertThat(InterpreterCode.effects(Language.RUBY, "system(\"rm\", \"-rf\", \"/\")"))
        .containsExactly(Effect.exec(List.of("rm", "-rf", "/")));
    assertThat(InterpreterCode.effects(Language.RUBY, "puts \"#{x}\"; system(\"ls #{d}\")"))
        .extracting(Effect::kind)
        .containsExactly(Kind.OPAQUE);
    assertThat(InterpreterCode.effects(Language.PHP, "<?php UNLINK('/p'); echo `id`;"))
        .containsExactly(path(Kind.DELETE, "/p"), Effect.shell("id"));
    assertThat(InterpreterCode.effects(Language.PHP, "<?php echo 'unlink(\"/p\")';")).isEmpty();
  }

  @Test
  void shouldFindInlineCodeOnlyWhereTheInterpreterRunsIt() {
    assertThat(InlineCode.find(List.of("python3", "-c", "x")))
        .contains(new InlineCode(Language.PYTHON, "x"));
    assertThat(InlineCode.find(List.of("python3", "-")))
        .contains(new InlineCode(Language.PYTHON, null));
    assertThat(InlineCode.find(List.of("python3", "-m", "json.tool"))).isEmpty();
    assertThat(InlineCode.find(List.of("python3", "x.py", "-c", "y"))).isEmpty();
    assertThat(InlineCode.find(List.of("node", "--eval=x")))
        .contains(new InlineCode(Language.JAVASCRIPT, "x"));
    assertThat(InlineCode.find(List.of("node", "server.js"))).isEmpty();
    assertThat(InlineCode.find(List.of("perl", "-lne", "a", "-e", "b")))
        .contains(new InlineCode(Language.PERL, "a\nb"));
    assertThat(InlineCode.find(List.of("perl", "script.pl"))).isEmpty();
    assertThat(InlineCode.find(List.of("php", "-r", "x")))
        .contains(new InlineCode(Language.PHP, "<?php x"));
    assertThat(InlineCode.find(List.of("deno", "eval", "x")))
        .contains(new InlineCode(Language.JAVASCRIPT, "x"));
    assertThat(InlineCode.find(List.of("bun", "run", "build"))).isEmpty();
  }
}
