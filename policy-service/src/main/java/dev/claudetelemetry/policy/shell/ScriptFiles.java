package dev.claudetelemetry.policy.shell;

/**
 * Names the files a command line writes and later runs ({@code cat > f.sh <<X … X; bash f.sh}), so
 * that {@code f.sh}, {@code ./f.sh} and {@code $PWD/f.sh} are the same script.
 */
final class ScriptFiles {

  /** Stands for the agent's home while the analysis has no home directory of its own. */
  private static final String HOME = "/\u0000home";

  private ScriptFiles() {}

  static String key(String path, String cwd) {
    String base = cwd.startsWith("/") ? cwd : "/\u0000cwd/" + cwd;
    return dev.claudetelemetry.policy.paths.PathNormalizer.normalize(path, base, HOME);
  }
}
