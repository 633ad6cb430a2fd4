package dev.claudetelemetry.e2e.pod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Carries TCP connections across a network namespace boundary through a Unix socket (a file, which
 * both sides see). Inside the emulated pod, {@link #main} listens on 127.0.0.1 like the Anthropic
 * API endpoint a pod would reach; in the test JVM, {@link #fromUnixSocket} hands each connection to
 * a loopback port (the fake Messages API). No interface or route is added to the host.
 */
public final class SocketRelay implements AutoCloseable {
  private final ServerSocketChannel server;
  private final Path socket;

  private SocketRelay(ServerSocketChannel server, Path socket) {
    this.server = server;
    this.socket = socket;
  }

  /**
   * Listen on 127.0.0.1:{@code port} (0 = any free one), relay each connection to the Unix {@code
   * socket}.
   */
  public static SocketRelay fromTcpPort(int port, Path socket) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET);
    server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 64);
    UnixDomainSocketAddress target = UnixDomainSocketAddress.of(socket);
    daemon("relay-accept", () -> relayAll(server, target));
    return new SocketRelay(server, null);
  }

  public int tcpPort() throws IOException {
    return ((InetSocketAddress) server.getLocalAddress()).getPort();
  }

  /** In this JVM: accept on {@code socket}, connect each to 127.0.0.1:{@code tcpPort}. */
  public static SocketRelay fromUnixSocket(Path socket, int tcpPort) {
    try {
      Files.deleteIfExists(socket);
      ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
      server.bind(UnixDomainSocketAddress.of(socket));
      SocketRelay relay = new SocketRelay(server, socket);
      InetSocketAddress target = new InetSocketAddress(InetAddress.getLoopbackAddress(), tcpPort);
      daemon("relay-accept", () -> relayAll(server, target));
      return relay;
    } catch (IOException e) {
      throw new UncheckedIOException("could not listen on " + socket, e);
    }
  }

  /** In the pod: {@code java ... SocketRelay <tcp port on 127.0.0.1> <unix socket path>}. */
  public static void main(String[] args) throws IOException, InterruptedException {
    fromTcpPort(Integer.parseInt(args[0]), Path.of(args[1]));
    System.out.println("relaying 127.0.0.1:" + args[0] + " to " + args[1]);
    System.out.flush();
    Thread.currentThread().join();
  }

  private static void relayAll(ServerSocketChannel server, SocketAddress target) {
    while (server.isOpen()) {
      try {
        SocketChannel in = server.accept();
        SocketChannel out = SocketChannel.open(target);
        // Channel reads and writes may run concurrently; the stream adapters
        // (Channels.newInputStream) may not.
        AtomicInteger open = new AtomicInteger(2);
        daemon("relay-pump", () -> pump(in, out, open));
        daemon("relay-pump", () -> pump(out, in, open));
      } catch (IOException e) {
        if (!server.isOpen()) {
          return;
        }
      }
    }
  }

  private static void pump(SocketChannel from, SocketChannel to, AtomicInteger open) {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try {
      while (from.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          to.write(buffer);
        }
        buffer.clear();
      }
      to.shutdownOutput();
      if (open.decrementAndGet() > 0) {
        return;
      }
    } catch (IOException e) {
      // one side went away: end both
    }
    closeQuietly(from);
    closeQuietly(to);
  }

  private static void closeQuietly(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // already gone
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread thread = new Thread(body, name);
    thread.setDaemon(true);
    thread.start();
  }

  @Override
  public void close() {
    try {
      server.close();
      if (socket != null) {
        Files.deleteIfExists(socket);
      }
    } catch (IOException ignored) {
      // best effort
    }
  }
}
