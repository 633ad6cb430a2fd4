package dev.claudetelemetry.e2e.containers;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;

/**
 * The collector's stand-in (its image cannot be pulled here): an OTLP/HTTP receiver that takes
 * every export, answers 200 with an empty protobuf response and prints one line per request ({@code
 * received <path> <bytes>}), so the test can read from its log what arrived.
 */
public final class OtlpSink {
  private OtlpSink() {}

  public static void main(String[] args) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[0])), 16);
    server.createContext(
        "/",
        exchange -> {
          long bytes;
          try (InputStream body = exchange.getRequestBody()) {
            bytes = body.transferTo(java.io.OutputStream.nullOutputStream());
          }
          synchronized (System.out) {
            System.out.println("received " + exchange.getRequestURI().getPath() + " " + bytes);
            System.out.flush();
          }
          exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    System.out.println("listening");
    System.out.flush();
  }
}
