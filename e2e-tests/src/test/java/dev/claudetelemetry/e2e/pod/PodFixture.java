package dev.claudetelemetry.e2e.pod;

import dev.claudetelemetry.e2e.fakeapi.FakeMessagesApi;
import dev.claudetelemetry.testsupport.ManagedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;

/**
 * The whole emulated deployment for a test class: the pod, the three services in it, the fake
 * Messages API in this JVM and the relay that makes it the pod's 127.0.0.1:{@value #API_PORT}.
 */
public final class PodFixture implements AutoCloseable {
  /**
   * The port the fake Anthropic API appears on inside the pod (the pod's own loopback: no clash
   * possible).
   */
  public static final int API_PORT = 18443;

  public final EmulatedPod pod;
  public final PodServices services;
  public final FakeMessagesApi api;
  private final SocketRelay relay;
  private boolean closed;

  private PodFixture(
      EmulatedPod pod, PodServices services, FakeMessagesApi api, SocketRelay relay) {
    this.pod = pod;
    this.services = services;
    this.api = api;
    this.relay = relay;
  }

  public static PodFixture start(
      Path workDir, String identityDropIn, Set<EmulatedPod.Service> which) {
    FakeMessagesApi api = FakeMessagesApi.start();
    EmulatedPod pod = null;
    SocketRelay relay = null;
    try {
      pod = EmulatedPod.start(workDir, identityDropIn);
      Path socket = workDir.resolve("anthropic-api.sock");
      relay = SocketRelay.fromUnixSocket(socket, api.port());
      ManagedProcess inPod =
          pod.startJavaMain(
              "anthropic-api-relay",
              SocketRelay.class,
              Integer.toString(API_PORT),
              socket.toString());
      inPod.awaitReady(() -> inPod.logTail(5).contains("relaying"), Duration.ofSeconds(30));
      PodServices services = PodServices.start(pod, which);
      PodFixture fixture = new PodFixture(pod, services, api, relay);
      // If the test JVM is killed (Surefire's timeout), the services and namespaces must not
      // outlive it.
      Runtime.getRuntime().addShutdownHook(new Thread(fixture::close));
      return fixture;
    } catch (Exception e) {
      if (relay != null) {
        relay.close();
      }
      if (pod != null) {
        pod.close();
      }
      api.close();
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
  }

  public PodSession session(String scenario) {
    return new PodSession(pod, "http://127.0.0.1:" + API_PORT, scenario);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    services.close();
    pod.close();
    relay.close();
    api.close();
  }
}
