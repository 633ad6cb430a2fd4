package dev.claudetelemetry.policy.rules;

import java.util.List;

/**
 * Why the policy decides what it decides for one call: what the guard saw (the commands after
 * unwrapping, the paths as normalised) and every rule that matched. For the {@code check} CLI,
 * where an operator edits a policy.
 *
 * @param decision the verdict the service would give
 * @param cwd the call's working directory, normalised
 * @param workspace the workspace the call is judged against ({@code null} when there is none)
 * @param home the agent's home directory
 * @param problem why a Bash command could not be analysed completely, {@code null} when it was
 * @param opaque what a Bash command runs that the guard cannot know before it runs, {@code null}
 *     when there is nothing
 * @param commands the simple commands the shell would run (empty for other tools)
 * @param filePaths the paths a file tool names (empty for Bash)
 * @param matches every rule that matched, in policy order
 * @param views for an MCP tool, the built-in tool calls it was judged as
 */
public record Explanation(
    Decision decision,
    String cwd,
    String workspace,
    String home,
    String problem,
    String opaque,
    List<Command> commands,
    List<Path> filePaths,
    List<Match> matches,
    List<String> views) {

  /**
   * One simple command as the guard judged it.
   *
   * @param argv after quote removal and unwrapping
   * @param depth how many {@code bash -c}/{@code eval} levels deep it was found
   * @param cwd where it runs (after {@code cd} earlier in the line)
   * @param upstream commands earlier in its pipeline
   * @param substitutions commands whose output is substituted into its words
   * @param paths the paths it touches
   */
  public record Command(
      List<String> argv,
      int depth,
      String cwd,
      List<String> upstream,
      List<String> substitutions,
      List<Path> paths) {}

  /**
   * @param written as the call wrote it
   * @param normalized absolute, lexically normalised
   * @param access read, write or read_write
   * @param redirection whether it is a redirection target rather than an operand
   */
  public record Path(String written, String normalized, String access, boolean redirection) {}

  /**
   * A rule that matched the call, with the value it quotes; {@code dryRun} when the rule is in
   * {@code enforcement: dryrun} and so took no part in the decision.
   */
  public record Match(String ruleId, Verdict decision, String quote, boolean dryRun) {}
}
