package io.meshsdk.core.security;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.SettlingReads;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This workload's certificates: private key, certificate chain (with its SPIFFE id) and trust bundle, loaded from the
 * three PEM files of a {@link TlsConfig} and reloaded when they change, without a restart and without a failed
 * handshake.
 *
 * <p><b>Loading.</b> {@link #start} fails fast, with a {@link CertificateFileException} naming the file and what is
 * wrong: missing, unreadable, empty, truncated or not PEM; an encrypted key; a key that does not match the leaf
 * certificate; a chain out of order (leaf first, then each issuer); a bundle without a CA certificate; a leaf
 * without a SPIFFE id, or outside {@link TlsConfig#trustDomain()}.
 *
 * <p><b>Rotation.</b> The files are read every {@link TlsConfig#refreshInterval()}; a new set applies only when the
 * same bytes were read by two consecutive polls (a file caught mid-write is never applied), all three parse and the
 * key matches the leaf. Writers replace the files one at a time, the key or the certificate first: a key and a
 * certificate that do not belong together are never applied; the previous set stays in force, with one WARN per
 * state (not per poll), until the other file arrives. {@link #refreshNow()} reads and applies at once. Each applied
 * set gets a fresh TLS session cache: no session is resumed across a rotation.
 *
 * <p><b>Use.</b> {@link #keyManager()} always presents the current key and chain. {@link #serverContext()} is the
 * {@link SSLContext} for a server: it presents the current certificate and authenticates clients against the
 * current bundle (see {@link #clientTrustManager()}); the server must require client certificates itself
 * ({@code SSLParameters.setNeedClientAuth(true)}, {@code HttpsParameters.setNeedClientAuth(true)}, Spring's
 * {@code server.ssl.client-auth=need}), and decides who may call from the verified SPIFFE id (policies).
 * {@link #clientContext} is for clients: the mesh's OkHttp client uses it for endpoints of {@code tls.mode=mtls}
 * services.
 *
 * <p>Thread-safe. {@link #close()} stops the polling.
 */
public final class WorkloadCertificates implements AutoCloseable {

  /** The gauge {@link #bindTo} registers: seconds until the current certificate expires (negative: expired). */
  public static final String EXPIRY_GAUGE = "mesh.tls.certificate.expiry";

  private static final Logger log = LoggerFactory.getLogger(WorkloadCertificates.class);

  private final TlsConfig config;
  private final @Nullable ScheduledExecutorService poller;
  private final Object reloadLock = new Object();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final X509ExtendedKeyManager keyManager = new WorkloadKeyManager();
  private final X509ExtendedTrustManager clientTrust = new ClientTrustManager();
  private final SSLContext serverContext;
  private volatile CertificateSet current;
  private volatile @Nullable CertificateSet previous; // a handshake may hold the alias of the set just replaced
  // reload state, under reloadLock
  private final SettlingReads settling = new SettlingReads();
  private @Nullable String loggedProblem;
  private int warnings;
  private long expiredLoggedFor = -1;
  private volatile boolean closed;

  private WorkloadCertificates(TlsConfig config, boolean poll) {
    this.config = config;
    byte[][] read = readAll();
    this.current = CertificateSet.parse(config, 1, read[0], read[1], read[2]);
    this.serverContext = new RotatingSslContext(new Versioned(clientTrust));
    checkExpiry(current);
    log.info("workload certificate loaded: {}", describe(current));
    if (poll) {
      ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mesh-tls-reload");
        t.setDaemon(true);
        return t;
      });
      long every = Math.max(1, config.refreshInterval().toMillis());
      java.util.concurrent.Future<?> unused = s.scheduleWithFixedDelay(this::poll, every, every, TimeUnit.MILLISECONDS);
      this.poller = s;
    } else {
      this.poller = null;
    }
  }

  /**
   * Loads the three files now and starts checking them every {@link TlsConfig#refreshInterval()}.
   *
   * @throws CertificateFileException naming the file and what is wrong with it
   */
  public static WorkloadCertificates start(TlsConfig config) {
    return new WorkloadCertificates(requireNonNull(config, "config"), true);
  }

  /**
   * Loads the three files now; they are read again only on {@link #refreshNow()} (for tests and for callers that
   * watch the files themselves).
   *
   * @throws CertificateFileException naming the file and what is wrong with it
   */
  public static WorkloadCertificates load(TlsConfig config) {
    return new WorkloadCertificates(requireNonNull(config, "config"), false);
  }

  /** The config: where the files are. */
  public TlsConfig config() {
    return config;
  }

  /** This workload's SPIFFE id, from the current certificate. */
  public SpiffeId identity() {
    return current.identity;
  }

  /** When the current certificate expires. */
  public Instant notAfter() {
    return current.notAfter;
  }

  /** The current certificate chain, leaf first. */
  public List<X509Certificate> certificateChain() {
    return List.of(current.chain);
  }

  /** The CA certificates of the current trust bundle. */
  public List<X509Certificate> trustBundle() {
    return current.bundle;
  }

  /** A counter that grows by one each time a new set of files is applied (1 after loading). */
  public long version() {
    return current.version;
  }

  /** Runs {@code listener} after each new set of files is applied (on the thread that applied it). */
  public void addListener(Runnable listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  /**
   * Reads the three files now and applies them when they form a valid set different from the current one (without
   * waiting for a second identical read); an invalid set is logged (once per problem) and the current one kept.
   *
   * @return whether a new set was applied
   */
  public boolean refreshNow() {
    return reload(false);
  }

  private void poll() {
    try {
      reload(true);
    } catch (RuntimeException e) {
      log.warn("reloading the workload certificates failed", e);
    }
  }

  private boolean reload(boolean fromPoll) {
    synchronized (reloadLock) {
      if (closed) {
        return false;
      }
      CertificateSet cur = current;
      checkExpiry(cur);
      byte[][] read;
      try {
        read = readAll();
      } catch (CertificateFileException e) {
        settling.forget();
        problem(String.valueOf(e.getMessage()));
        return false;
      }
      if (cur.sameBytes(read[0], read[1], read[2])) {
        settling.forget();
        if (loggedProblem != null) {
          log.info("workload certificate files are back to the set in use ({})", describe(cur));
          loggedProblem = null;
        }
        return false;
      }
      if (!fromPoll) {
        settling.forget(); // refreshNow applies at once
      } else if (!settling.settled(read)) {
        return false; // changed since the last poll: apply only once two polls read the same bytes
      }
      CertificateSet next;
      try {
        next = CertificateSet.parse(config, cur.version + 1, read[0], read[1], read[2]);
      } catch (CertificateFileException e) {
        problem(String.valueOf(e.getMessage()));
        return false;
      }
      previous = cur;
      current = next;
      loggedProblem = null;
      log.info("workload certificate rotated: {}", describe(next));
      checkExpiry(next);
      for (Runnable l : listeners) {
        try {
          l.run();
        } catch (RuntimeException e) {
          log.warn("a WorkloadCertificates listener threw", e);
        }
      }
      return true;
    }
  }

  private void problem(String message) {
    if (!message.equals(loggedProblem)) {
      loggedProblem = message;
      warnings++;
      log.warn("workload certificate files not applied, keeping {}: {}", describe(current), message);
    }
  }

  /** How many WARNs the reloads logged (tests). */
  int warnings() {
    synchronized (reloadLock) {
      return warnings;
    }
  }

  private void checkExpiry(CertificateSet set) {
    if (expiredLoggedFor != set.version && Instant.now().isAfter(set.notAfter)) {
      expiredLoggedFor = set.version;
      log.error("the workload certificate has EXPIRED: {} (peers refuse it; renew the files {} and {})",
          describe(set), config.certificateChain(), config.privateKey());
    }
  }

  private byte[][] readAll() {
    return new byte[][] {read(config.certificateChain()), read(config.privateKey()), read(config.trustBundle())};
  }

  private static byte[] read(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new CertificateFileException(file, "no such file", e);
    } catch (IOException | SecurityException e) {
      throw new CertificateFileException(file, "cannot be read (" + e + ")", e);
    }
  }

  private static String describe(CertificateSet s) {
    X509Certificate leaf = s.leaf();
    return s.identity + " serial " + CertificateSet.serial(leaf.getSerialNumber()) + " valid until " + s.notAfter
        + ", " + s.chain.length + " certificate(s) in chain, " + s.bundle.size() + " CA(s) in bundle";
  }

  /**
   * Registers gauge {@value #EXPIRY_GAUGE}: seconds until the current certificate expires (negative once expired).
   */
  public void bindTo(MeterRegistry registry) {
    requireNonNull(registry, "registry");
    Gauge.builder(EXPIRY_GAUGE, this, w -> Duration.between(Instant.now(), w.current.notAfter).toMillis() / 1000.0)
        .description("seconds until this workload's certificate expires (negative: expired)")
        .baseUnit("seconds")
        .register(registry);
  }

  /** A key manager that always presents the current key and chain, client side and server side. */
  public X509ExtendedKeyManager keyManager() {
    return keyManager;
  }

  /**
   * The trust manager that authenticates clients (server side): the client's chain must be valid now, lead to a CA
   * of the current trust bundle (PKIX, no revocation check) and carry exactly one SPIFFE id; otherwise the handshake
   * fails with a {@link CertificateException} saying what was wrong. It does not decide who may call.
   */
  public X509ExtendedTrustManager clientTrustManager() {
    return clientTrust;
  }

  /**
   * The {@link SSLContext} for a server: presents the current certificate, authenticates clients as
   * {@link #clientTrustManager()} does, and starts fresh session caches at each rotation. The server must set
   * need-client-auth itself. Get engines ({@code createSSLEngine}) or socket factories per connection from it, not
   * once: they follow the rotations.
   */
  public SSLContext serverContext() {
    return serverContext;
  }

  /**
   * Authenticates a client's certificate chain as {@link #clientTrustManager()} does.
   *
   * @return the client's SPIFFE id
   * @throws CertificateException saying what was wrong
   */
  public SpiffeId verifyClient(X509Certificate[] chain) throws CertificateException {
    return PeerVerifier.verify(requireNonNull(chain, "chain"), current, config, "client certificate");
  }

  /**
   * Authenticates a server's certificate chain against the current bundle and checks its SPIFFE id against
   * {@code expected}.
   *
   * @param peer the server's address, for messages
   * @return the server's SPIFFE id
   * @throws CertificateException saying what was wrong (expired, not issued by a bundle CA, no or two URI SANs, an
   *     unexpected SPIFFE id: presented and expected)
   */
  public SpiffeId verifyServer(X509Certificate[] chain, String peer, ExpectedServerIdentity expected)
      throws CertificateException {
    String who = "server certificate of " + peer;
    SpiffeId id = PeerVerifier.verify(requireNonNull(chain, "chain"), current, config, who);
    String mismatch = expected.mismatch(id);
    if (mismatch != null) {
      throw new CertificateException(who + " has SPIFFE id " + id + ", which is not expected: " + mismatch);
    }
    return id;
  }

  /** What a client expects of the server at an address. */
  @FunctionalInterface
  public interface ServerExpectations {
    /** The expectation for the server at {@code host:port}, or {@code null} when none is known (refused). */
    @Nullable ExpectedServerIdentity expectedFor(String host, int port);
  }

  /**
   * An {@link SSLContext} for clients: presents the current certificate and accepts a server only when its chain
   * leads to a CA of the current bundle and its SPIFFE id meets {@code expectations} for the address connected to
   * (never checked against the address's name). Fresh session caches at each rotation.
   */
  public SSLContext clientContext(ServerExpectations expectations) {
    return new RotatingSslContext(new Versioned(new ServerTrustManager(requireNonNull(expectations, "expectations"))));
  }

  /** Stops the polling; the current certificates stay usable. */
  @Override
  public void close() {
    synchronized (reloadLock) {
      closed = true;
    }
    ScheduledExecutorService s = poller;
    if (s != null) {
      s.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "WorkloadCertificates{" + describe(current) + "}";
  }

  // ---- one SSLContext per certificate set ------------------------------------------------------------------------

  private final class Versioned implements java.util.function.Supplier<SSLContext> {
    private final TrustManager trust;
    private volatile @Nullable SSLContext context;
    private volatile long version = -1;

    Versioned(TrustManager trust) {
      this.trust = trust;
    }

    @Override
    public SSLContext get() {
      long v = current.version;
      SSLContext c = context;
      if (c != null && version == v) {
        return c;
      }
      synchronized (this) {
        c = context;
        if (c != null && version == v) {
          return c;
        }
        try {
          c = SSLContext.getInstance("TLS");
          c.init(new KeyManager[] {keyManager}, new TrustManager[] {trust}, null);
        } catch (GeneralSecurityException e) {
          throw new IllegalStateException("the JDK cannot create a TLS context", e);
        }
        context = c;
        version = v;
        return c;
      }
    }
  }

  // ---- key manager ---------------------------------------------------------------------------------------------

  private final class WorkloadKeyManager extends X509ExtendedKeyManager {

    private @Nullable String alias(@Nullable String keyType) {
      CertificateSet s = current;
      String alg = s.key.getAlgorithm();
      if (keyType == null || keyType.equals(alg) || keyType.startsWith(alg + "_")
          || (alg.equals("EdDSA") && keyType.startsWith("Ed"))) {
        return s.alias;
      }
      return null;
    }

    private @Nullable String alias(@Nullable String @Nullable [] keyTypes) {
      if (keyTypes == null) {
        return null;
      }
      for (String t : keyTypes) {
        String a = alias(t);
        if (a != null) {
          return a;
        }
      }
      return null;
    }

    private @Nullable CertificateSet set(@Nullable String alias) {
      CertificateSet s = current;
      if (s.alias.equals(alias)) {
        return s;
      }
      CertificateSet p = previous;
      return p != null && p.alias.equals(alias) ? p : null;
    }

    @Override
    public String @Nullable [] getClientAliases(String keyType, Principal @Nullable [] issuers) {
      String a = alias(keyType);
      return a == null ? null : new String[] {a};
    }

    @Override
    public @Nullable String chooseClientAlias(String[] keyType, Principal @Nullable [] issuers,
        @Nullable Socket socket) {
      return alias(keyType);
    }

    @Override
    public @Nullable String chooseEngineClientAlias(String[] keyType, Principal @Nullable [] issuers,
        @Nullable SSLEngine engine) {
      return alias(keyType);
    }

    @Override
    public String @Nullable [] getServerAliases(String keyType, Principal @Nullable [] issuers) {
      return getClientAliases(keyType, issuers);
    }

    @Override
    public @Nullable String chooseServerAlias(String keyType, Principal @Nullable [] issuers,
        @Nullable Socket socket) {
      return alias(keyType);
    }

    @Override
    public @Nullable String chooseEngineServerAlias(String keyType, Principal @Nullable [] issuers,
        @Nullable SSLEngine engine) {
      return alias(keyType);
    }

    @Override
    public X509Certificate @Nullable [] getCertificateChain(String alias) {
      CertificateSet s = set(alias);
      return s == null ? null : s.chain.clone();
    }

    @Override
    public @Nullable PrivateKey getPrivateKey(String alias) {
      CertificateSet s = set(alias);
      return s == null ? null : s.key;
    }
  }

  // ---- trust managers ------------------------------------------------------------------------------------------

  /** Server side: authenticates clients. */
  private final class ClientTrustManager extends X509ExtendedTrustManager {

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      verifyClient(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, @Nullable Socket socket)
        throws CertificateException {
      verifyClient(chain);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, @Nullable SSLEngine engine)
        throws CertificateException {
      verifyClient(chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("this trust manager authenticates clients only");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, @Nullable Socket socket)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, @Nullable SSLEngine engine)
        throws CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current.bundle.toArray(new X509Certificate[0]);
    }
  }

  /** Client side: authenticates servers against the expectation for the address connected to. */
  private final class ServerTrustManager extends X509ExtendedTrustManager {
    private final ServerExpectations expectations;

    ServerTrustManager(ServerExpectations expectations) {
      this.expectations = expectations;
    }

    private void check(X509Certificate[] chain, @Nullable SSLSession handshake) throws CertificateException {
      if (handshake == null || handshake.getPeerHost() == null) {
        throw new CertificateException("the server's address is unknown: cannot tell which identity to expect");
      }
      String host = handshake.getPeerHost();
      int port = handshake.getPeerPort();
      String peer = host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
      ExpectedServerIdentity expected = expectations.expectedFor(host, port);
      if (expected == null) {
        throw new CertificateException("server certificate of " + peer + ": the address is no endpoint of an"
            + " mtls service (no identity to expect)");
      }
      verifyServer(chain, peer, expected);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, @Nullable Socket socket)
        throws CertificateException {
      check(chain, socket instanceof SSLSocket s ? s.getHandshakeSession() : null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, @Nullable SSLEngine engine)
        throws CertificateException {
      check(chain, engine == null ? null : engine.getHandshakeSession());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      check(chain, null);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("this trust manager authenticates servers only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, @Nullable Socket socket)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, @Nullable SSLEngine engine)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return current.bundle.toArray(new X509Certificate[0]);
    }
  }
}
