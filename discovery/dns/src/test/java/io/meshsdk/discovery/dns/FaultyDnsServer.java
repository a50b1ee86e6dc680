package io.meshsdk.discovery.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * A small real DNS server over UDP on 127.0.0.1, for faults dnsmasq does not produce on demand: every A query is
 * answered with 127.0.0.1 (TTL 1) in mode {@link Mode#OK}, with SERVFAIL, or with bytes that are no DNS message.
 */
final class FaultyDnsServer implements AutoCloseable {

  enum Mode { OK, SERVFAIL, GARBAGE }

  private final DatagramSocket socket;
  private final Thread thread;
  private final AtomicLong queries = new AtomicLong();
  private volatile Mode mode = Mode.OK;

  FaultyDnsServer() {
    try {
      socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    } catch (SocketException e) {
      throw new UncheckedIOException(e);
    }
    thread = new Thread(this::serve, "test-faulty-dns");
    thread.setDaemon(true);
    thread.start();
  }

  InetSocketAddress address() {
    return new InetSocketAddress(InetAddress.getLoopbackAddress(), socket.getLocalPort());
  }

  void mode(Mode m) {
    mode = m;
  }

  long queries() {
    return queries.get();
  }

  private void serve() {
    byte[] buf = new byte[4096];
    while (!socket.isClosed()) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        socket.receive(p);
        queries.incrementAndGet();
        byte[] out = answer(Arrays.copyOf(p.getData(), p.getLength()));
        socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
      } catch (IOException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  private byte[] answer(byte[] query) throws IOException {
    Mode m = mode;
    if (m == Mode.GARBAGE) {
      byte[] junk = "this is not a DNS message at all".getBytes(StandardCharsets.US_ASCII);
      junk[0] = query[0]; // same id, so the client takes it for the answer and must parse it
      junk[1] = query[1];
      return junk;
    }
    Message q = new Message(query);
    Message r = new Message(q.getHeader().getID());
    r.getHeader().setFlag(Flags.QR);
    r.getHeader().setFlag(Flags.RA);
    Record question = q.getQuestion();
    r.addRecord(question, Section.QUESTION);
    if (m == Mode.SERVFAIL) {
      r.getHeader().setRcode(Rcode.SERVFAIL);
    } else if (question.getType() == Type.A) {
      r.addRecord(new ARecord(question.getName(), DClass.IN, 1, InetAddress.getLoopbackAddress()), Section.ANSWER);
    }
    return r.toWire();
  }

  @Override
  public void close() {
    socket.close();
    try {
      thread.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
