package dev.claudetelemetry.servicesupport.auth;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * One bearer token per user, read from a directory laid out like a mounted Kubernetes Secret: each
 * visible file is one user (the file name) and holds that user's token (trailing line breaks
 * ignored). The kubelet updates such a mount by swapping a {@code ..data} symlink, so the entries
 * are symlinks into a hidden timestamped directory; hidden entries are skipped and every read
 * follows the links, which makes a swap look like new file contents here.
 *
 * <p>The directory is looked at again every {@code refreshEvery} on a background thread, so a
 * rotated, added or removed token takes effect without a restart and the request path never touches
 * the file system: it only reads an immutable snapshot. A look costs a listing and one {@code stat}
 * per entry; the files are read again only when a name, file, size or modification time changed,
 * and in any case every {@value #FULL_READ_EVERY} looks (a rewrite within the file system's
 * timestamp granularity that keeps the size would show in neither).
 *
 * <p>A token is refused at load, with a log line naming the user and the reason, when it is empty,
 * shorter than {@value #MIN_TOKEN_LENGTH} characters, holds whitespace or control characters, is
 * another user's token too (both users are refused: neither can be told apart from the other), or
 * equals one of the service tokens given to the constructor (a user holding it would act as the
 * service).
 *
 * <p>Nothing here is specific to one service, so that the services can share it.
 */
public final class UserTokenDirectory implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(UserTokenDirectory.class);

  /** Shorter tokens are guessable; the chart generates 40 characters. */
  public static final int MIN_TOKEN_LENGTH = 16;

  /** A token file is a few dozen bytes; anything this large is not one. */
  private static final int MAX_TOKEN_FILE_BYTES = 4096;

  /** User names: what a metric label and a Secret key may both hold, lower case. */
  private static final Pattern USER_NAME = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,62}");

  private static final Pattern TOKEN = Pattern.compile("[\\x21-\\x7e]+");

  /** Every this many looks, the files are read whatever their attributes say. */
  static final int FULL_READ_EVERY = 30;

  private record Entry(String user, byte[] digest) {}

  private final Path directory;
  private final TokenSet serviceTokens;
  private final Duration refreshEvery;
  private final Object reloadLock = new Object();
  private volatile List<Entry> entries = List.of();
  private ScheduledExecutorService refresher;
  private Map<String, String> lastProblems = Map.of();
  private Map<String, String> lastFingerprints = null;
  private List<String> lastAttributes = null;
  private int looksSinceFullRead = 0;

  /**
   * @param serviceTokens tokens that belong to services, never to a user
   * @param refreshEvery how often the directory is read again once {@link #start()} ran
   */
  public UserTokenDirectory(
      Path directory, Collection<String> serviceTokens, Duration refreshEvery) {
    this.directory = directory;
    this.serviceTokens = TokenSet.of(serviceTokens);
    this.refreshEvery = refreshEvery;
  }

  /**
   * The directory a service is configured with ({@code CLAUDE_TELEMETRY_USER_TOKENS_DIR}); empty
   * when that is unset or blank.
   */
  public static Optional<UserTokenDirectory> configured(
      Optional<String> directory, Collection<String> serviceTokens, Duration refreshEvery) {
    return directory
        .filter(dir -> !dir.isBlank())
        .map(dir -> new UserTokenDirectory(Path.of(dir.strip()), serviceTokens, refreshEvery));
  }

  /** Reads the directory now and then every {@code refreshEvery} until {@link #close()}. */
  public synchronized void start() {
    reload();
    if (refresher == null) {
      refresher =
          Executors.newSingleThreadScheduledExecutor(
              runnable -> {
                Thread thread = new Thread(runnable, "user-token-refresh");
                thread.setDaemon(true);
                return thread;
              });
      long millis = Math.max(1, refreshEvery.toMillis());
      refresher.scheduleWithFixedDelay(
          this::reloadIfChangedQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }
  }

  public Path directory() {
    return directory;
  }

  /** How many users have a usable token right now. */
  public int users() {
    return entries.size();
  }

  /**
   * The user whose token this is. Constant-time in the token: its digest is compared with every
   * user's, without stopping at a match, so neither how much of a token matched nor whose it is
   * shows in the time taken.
   */
  public Optional<String> userOf(String presented) {
    if (presented == null || presented.isEmpty()) {
      return Optional.empty();
    }
    byte[] digest = TokenDigest.of(presented);
    String match = null;
    for (Entry entry : entries) {
      if (TokenDigest.equal(entry.digest(), digest)) {
        match = entry.user();
      }
    }
    return Optional.ofNullable(match);
  }

  /**
   * Reads the directory and replaces the snapshot. If the directory cannot be listed, the previous
   * snapshot stays: a mount being swapped or briefly unreadable must not lock every user out.
   */
  public void reload() {
    synchronized (reloadLock) {
      lastAttributes = attributes();
      looksSinceFullRead = 0;
      Map<String, String> tokens = new TreeMap<>();
      Map<String, String> problems = new TreeMap<>();
      try {
        readTokens(tokens, problems);
      } catch (IOException e) {
        String reason = "cannot read the user token directory " + directory + ": " + e;
        if (!Map.of("", reason).equals(lastProblems)) {
          LOG.error(
              reason
                  + (entries.isEmpty()
                      ? "; no user token is accepted"
                      : "; kept the tokens read before"));
        }
        lastProblems = Map.of("", reason);
        return;
      }
      refuseShared(tokens, problems);
      List<Entry> loaded = new ArrayList<>();
      Map<String, String> fingerprints = new TreeMap<>();
      tokens.forEach(
          (user, token) -> {
            byte[] digest = TokenDigest.of(token);
            loaded.add(new Entry(user, digest));
            fingerprints.put(user, java.util.HexFormat.of().formatHex(digest, 0, 8));
          });
      entries = List.copyOf(loaded);
      report(fingerprints, problems);
    }
  }

  @Override
  public synchronized void close() {
    if (refresher != null) {
      refresher.shutdownNow();
      refresher = null;
    }
  }

  /**
   * Reads the directory again if anything in it may have changed since the last reading: see the
   * class comment.
   */
  void reloadIfChanged() {
    synchronized (reloadLock) {
      List<String> attributes = attributes();
      looksSinceFullRead++;
      if (attributes != null
          && attributes.equals(lastAttributes)
          && looksSinceFullRead < FULL_READ_EVERY) {
        return;
      }
      reload();
    }
  }

  /**
   * Each entry's name with the identity, size and modification time of the file it leads to (links
   * followed, as a Secret's entries are links through {@code ..data}); null if the directory cannot
   * be listed, which {@link #reload()} then reports.
   */
  private List<String> attributes() {
    List<String> attributes = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        try {
          BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
          attributes.add(name + " " + a.fileKey() + " " + a.size() + " " + a.lastModifiedTime());
        } catch (IOException gone) {
          attributes.add(name + " -");
        }
      }
    } catch (IOException e) {
      return null;
    }
    attributes.sort(null);
    return attributes;
  }

  private void reloadIfChangedQuietly() {
    try {
      reloadIfChanged();
    } catch (RuntimeException e) {
      // The refresher must survive anything one reading throws; the next one tries again.
      LOG.error("reading the user token directory failed", e);
    }
  }

  private void readTokens(Map<String, String> tokens, Map<String, String> problems)
      throws IOException {
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.startsWith(".")) {
          continue; // ..data, ..2026_01_01_..., editor and tool leftovers
        }
        if (!USER_NAME.matcher(name).matches()) {
          problems.put(
              name,
              "the file name is not a user name (lower-case letters, digits, '.', '_', '@', '-',"
                  + " at most 63, starting with a letter or digit)");
          continue;
        }
        if (!Files.isRegularFile(file)) {
          continue;
        }
        try {
          String problem = checkAndRead(file, name, tokens);
          if (problem != null) {
            problems.put(name, problem);
          }
        } catch (NoSuchFileException gone) {
          // Removed between listing and reading: the user is gone.
        }
      }
    }
  }

  /** Puts the user's token into {@code tokens}, or says why not. */
  private static String checkAndRead(Path file, String user, Map<String, String> tokens)
      throws IOException {
    byte[] bytes;
    try (InputStream in = Files.newInputStream(file)) {
      bytes = in.readNBytes(MAX_TOKEN_FILE_BYTES + 1);
    }
    if (bytes.length > MAX_TOKEN_FILE_BYTES) {
      return "the token file is larger than " + MAX_TOKEN_FILE_BYTES + " bytes";
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      return "the token is not UTF-8 text";
    }
    String token = text.replaceFirst("[\r\n]+$", "");
    if (token.isBlank()) {
      return "the token is empty";
    }
    if (!TOKEN.matcher(token).matches()) {
      return "the token holds whitespace, control or non-ASCII characters";
    }
    if (token.length() < MIN_TOKEN_LENGTH) {
      return "the token is shorter than " + MIN_TOKEN_LENGTH + " characters";
    }
    tokens.put(user, token);
    return null;
  }

  /** Removes every token that two users share or that is a service token. */
  private void refuseShared(Map<String, String> tokens, Map<String, String> problems) {
    Map<String, TreeSet<String>> usersByToken = new HashMap<>();
    tokens.forEach(
        (user, token) -> usersByToken.computeIfAbsent(token, t -> new TreeSet<>()).add(user));
    for (TreeSet<String> sharing : usersByToken.values()) {
      if (sharing.size() > 1) {
        for (String user : sharing) {
          tokens.remove(user);
          problems.put(
              user,
              "the same token is in the files of "
                  + String.join(", ", sharing)
                  + ", so it cannot tell who sends it; give each user a token of their own");
        }
      }
    }
    for (var it = tokens.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      if (serviceTokens.accepts(entry.getValue())) {
        it.remove();
        problems.put(
            entry.getKey(),
            "the token is a service token; a user holding it would act as the service");
      }
    }
  }

  /** Logs what changed since the last reading only, so a steady directory stays quiet. */
  private void report(Map<String, String> fingerprints, Map<String, String> problems) {
    problems.forEach(
        (user, problem) -> {
          if (!problem.equals(lastProblems.get(user))) {
            LOG.errorf(
                "user token of '%s' in %s refused: %s; requests with it get 401",
                user, directory, problem);
          }
        });
    if (!fingerprints.equals(lastFingerprints)) {
      List<String> changed = new ArrayList<>();
      if (lastFingerprints != null) {
        fingerprints.forEach(
            (user, fingerprint) -> {
              if (!fingerprint.equals(lastFingerprints.get(user))) {
                changed.add(user);
              }
            });
        lastFingerprints.keySet().stream()
            .filter(user -> !fingerprints.containsKey(user))
            .forEach(user -> changed.add(user + " (removed)"));
      }
      LOG.infof(
          "user tokens from %s: %d user(s) %s%s",
          directory,
          fingerprints.size(),
          fingerprints.keySet(),
          lastFingerprints == null ? "" : "; changed: " + changed);
      if (fingerprints.isEmpty()) {
        LOG.warnf("no usable user token in %s: every user request gets 401", directory);
      }
    }
    lastFingerprints = fingerprints;
    lastProblems = problems;
  }
}
