package dev.claudetelemetry.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway PostgreSQL 15 cluster in a temporary directory: initdb, start on a free port, one
 * database and role, stop and delete. Runs the server binaries as the {@code postgres} OS user when
 * this JVM is root (initdb refuses root). Starts in under a second here.
 */
public final class PostgresServer implements AutoCloseable {
  public static final String DATABASE = "claude_telemetry";
  public static final String USER = "claude_telemetry";
  public static final String PASSWORD = "test-only-password";

  private final Path dataDir;
  private final Path socketDir;
  private final int port;
  private final String listenAddress;
  private final List<String> commandPrefix;
  private final Path bin;

  private PostgresServer(
      Path dataDir, Path socketDir, int port, String listenAddress, List<String> prefix, Path bin) {
    this.dataDir = dataDir;
    this.socketDir = socketDir;
    this.port = port;
    this.listenAddress = listenAddress;
    this.commandPrefix = prefix;
    this.bin = bin;
  }

  /** Starts a cluster on 127.0.0.1 and a free port. */
  public static PostgresServer start() {
    return start("127.0.0.1", FreePorts.next(), List.of());
  }

  /**
   * Starts a cluster listening on {@code listenAddress:port}; every server command runs behind
   * {@code commandPrefix} (for example {@code nsenter -t PID -n} to start it inside a network
   * namespace).
   */
  public static PostgresServer start(String listenAddress, int port, List<String> commandPrefix) {
    try {
      Path root = Files.createTempDirectory(Path.of("/tmp"), "ctpg");
      Path data = root.resolve("data");
      Path sockets = root.resolve("s");
      Files.createDirectories(sockets);
      PostgresServer server =
          new PostgresServer(
              data, sockets, port, listenAddress, List.copyOf(commandPrefix), findBinaries());
      server.chownToPostgres(root);
      server.run(
          List.of(
              server.bin("initdb"),
              "--no-sync",
              "-A",
              "trust",
              "-U",
              "postgres",
              "-E",
              "UTF8",
              "--locale=C.UTF-8",
              "-D",
              data.toString()),
          Duration.ofSeconds(60));
      server.startServer();
      server.psql("CREATE ROLE " + USER + " LOGIN PASSWORD '" + PASSWORD + "'");
      server.psql("CREATE DATABASE " + DATABASE + " OWNER " + USER);
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException("could not start PostgreSQL", e);
    }
  }

  private void startServer() {
    run(
        List.of(
            bin("pg_ctl"),
            "-D",
            dataDir.toString(),
            "-w",
            "-t",
            "30",
            "-l",
            dataDir.resolveSibling("server.log").toString(),
            "-o",
            "-F -p "
                + port
                + " -h "
                + listenAddress
                + " -k "
                + socketDir
                + " -c fsync=off -c full_page_writes=off"
                + " -c synchronous_commit=off -c max_connections=200",
            "start"),
        Duration.ofSeconds(60));
  }

  /** Stops the server, keeping its data (a fast shutdown, as a restart or failover does). */
  public void stopServer() {
    run(
        List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-m", "fast", "-w", "stop"),
        Duration.ofSeconds(30));
  }

  /** Starts the server stopped with {@link #stopServer()} again, on the same address. */
  public void startAgain() {
    startServer();
  }

  /**
   * Lets clients from {@code cidr} (say, a pod network) log in over TCP with their role's password;
   * initdb's rules cover only loopback.
   */
  public void allowPasswordLogins(String cidr) {
    try {
      Files.writeString(
          dataDir.resolve("pg_hba.conf"),
          "host all all " + cidr + " scram-sha-256\n",
          java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    psql("SELECT pg_reload_conf()");
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + listenAddress + ":" + port + "/" + DATABASE;
  }

  public int port() {
    return port;
  }

  /** The environment a Quarkus service needs to use this database. */
  public Map<String, String> quarkusEnv() {
    return Map.of(
        "QUARKUS_DATASOURCE_JDBC_URL", jdbcUrl(),
        "QUARKUS_DATASOURCE_USERNAME", USER,
        "QUARKUS_DATASOURCE_PASSWORD", PASSWORD);
  }

  /** Runs one SQL statement as the superuser (each call is its own transaction). */
  public String psql(String sql) {
    return psql("postgres", sql);
  }

  /** Runs one SQL statement as the superuser in {@code database}, e.g. {@link #DATABASE}. */
  public String psql(String database, String sql) {
    return run(
        List.of(
            bin("psql"),
            "-h",
            socketDir.toString(),
            "-p",
            Integer.toString(port),
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-tA",
            "-c",
            sql),
        Duration.ofSeconds(30));
  }

  @Override
  public void close() {
    try {
      run(
          List.of(bin("pg_ctl"), "-D", dataDir.toString(), "-m", "immediate", "-w", "stop"),
          Duration.ofSeconds(30));
    } finally {
      deleteTree(dataDir.getParent());
    }
  }

  private String bin(String name) {
    return bin.resolve(name).toString();
  }

  private static Path findBinaries() {
    for (String version : List.of("15", "16", "17")) {
      Path candidate = Path.of("/usr/lib/postgresql", version, "bin");
      if (Files.isExecutable(candidate.resolve("initdb"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: install postgresql-15 (./test does)");
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  private void chownToPostgres(Path root) {
    if (isRoot()) {
      exec(List.of("chown", "-R", "postgres:postgres", root.toString()), Duration.ofSeconds(10));
    }
  }

  private String run(List<String> command, Duration timeout) {
    List<String> full = new ArrayList<>(commandPrefix);
    if (isRoot()) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    return exec(full, timeout);
  }

  private static String exec(List<String> command, Duration timeout) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException("timed out: " + command);
      }
      String output = new String(process.getInputStream().readAllBytes()).trim();
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            "failed (" + process.exitValue() + "): " + command + "\n" + output);
      }
      return output;
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort: a temp dir left behind is harmless
    }
  }
}
