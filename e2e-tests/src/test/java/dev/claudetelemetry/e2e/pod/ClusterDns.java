package dev.claudetelemetry.e2e.pod;

import dev.claudetelemetry.e2e.pod.EmulatedPod.Service;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The cluster DNS as a claude-code pod meets it, for the Service names of a release in namespace
 * claude-telemetry: A records for those names, no AAAA record (NOERROR, no answer), NXDOMAIN for
 * every other name, as CoreDNS answers names under the cluster domain. Run inside the emulated pod
 * ({@link #main}, UDP port 53 on a private address); every question is printed as {@code query
 * <name> <type>} before it is answered, so a test can count what a resolver asked.
 */
public final class ClusterDns {
  private static final int TYPE_A = 1;
  private static final int TYPE_AAAA = 28;
  private static final int RCODE_NXDOMAIN = 3;

  private final Map<String, byte[]> addresses = new HashMap<>();
  private final Map<String, byte[]> wildcards = new HashMap<>();

  /**
   * {@code extra}: more names, {@code name=address}; {@code *.domain=address} answers every name
   * under that domain, as a public wildcard record someone registered would.
   */
  ClusterDns(String... extra) throws IOException {
    for (Service service : Service.values()) {
      addresses.put(service.host(), InetAddress.getByName(service.address).getAddress());
    }
    for (String entry : extra) {
      String[] parts = entry.split("=", 2);
      byte[] address = InetAddress.getByName(parts[1]).getAddress();
      if (parts[0].startsWith("*.")) {
        wildcards.put(parts[0].substring(1), address);
      } else {
        addresses.put(parts[0], address);
      }
    }
  }

  private byte[] addressOf(String host) {
    byte[] address = addresses.get(host);
    for (Map.Entry<String, byte[]> wildcard : wildcards.entrySet()) {
      if (address == null && host.endsWith(wildcard.getKey())) {
        address = wildcard.getValue();
      }
    }
    return address;
  }

  /** args: the address to serve on, then the extra names of {@link #ClusterDns(String...)}. */
  public static void main(String[] args) throws IOException {
    ClusterDns dns = new ClusterDns(java.util.Arrays.copyOfRange(args, 1, args.length));
    try (DatagramSocket socket =
        new DatagramSocket(new InetSocketAddress(InetAddress.getByName(args[0]), 53))) {
      System.out.println("serving " + args[0] + ":53");
      System.out.flush();
      byte[] buffer = new byte[512];
      while (true) {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        byte[] answer = dns.answer(buffer, packet.getLength());
        if (answer != null) {
          socket.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
        }
      }
    }
  }

  /** The answer to one query, or null for a packet that is not a single well-formed question. */
  byte[] answer(byte[] query, int length) {
    ByteBuffer in = ByteBuffer.wrap(query, 0, length);
    if (length < 12) {
      return null;
    }
    int id = in.getShort() & 0xffff;
    int flags = in.getShort() & 0xffff;
    int questions = in.getShort() & 0xffff;
    in.position(12);
    if ((flags & 0x8000) != 0 || questions != 1) {
      return null;
    }
    StringBuilder name = new StringBuilder();
    while (true) {
      if (!in.hasRemaining()) {
        return null;
      }
      int label = in.get() & 0xff;
      if (label == 0) {
        break;
      }
      if (label > 63 || in.remaining() < label) {
        return null;
      }
      byte[] bytes = new byte[label];
      in.get(bytes);
      name.append(name.isEmpty() ? "" : ".").append(new String(bytes, StandardCharsets.US_ASCII));
    }
    if (in.remaining() < 4) {
      return null;
    }
    int questionEnd = in.position() + 4;
    int type = in.getShort() & 0xffff;
    String host = name.toString().toLowerCase(Locale.ROOT);
    System.out.println(
        "query " + host + " " + (type == TYPE_A ? "A" : type == TYPE_AAAA ? "AAAA" : type));
    System.out.flush();

    byte[] address = addressOf(host);
    boolean hasAnswer = address != null && type == TYPE_A;
    ByteBuffer out = ByteBuffer.allocate(questionEnd + (hasAnswer ? 16 : 0));
    out.putShort((short) id);
    // response, authoritative, the client's recursion-desired bit, recursion available
    out.putShort(
        (short) (0x8400 | (flags & 0x0100) | 0x0080 | (address == null ? RCODE_NXDOMAIN : 0)));
    out.putShort((short) 1)
        .putShort((short) (hasAnswer ? 1 : 0))
        .putShort((short) 0)
        .putShort((short) 0);
    out.put(query, 12, questionEnd - 12);
    if (hasAnswer) {
      out.putShort((short) 0xc00c)
          .putShort((short) TYPE_A)
          .putShort((short) 1)
          .putInt(5)
          .putShort((short) 4)
          .put(address);
    }
    return out.array();
  }
}
