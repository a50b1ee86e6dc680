package io.meshsdk.core.sidecar;

import static java.util.Objects.requireNonNull;

import io.meshsdk.testing.sidecar.LocalSidecar;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * JUnit 5 extension around {@link LocalSidecar}: {@link #start} configures and starts a real HAProxy or nginx on
 * loopback (failing with the Debian package to install when the binary is missing); every sidecar started in
 * a test is stopped by its PID and its files deleted after the test.
 *
 * <pre>{@code
 * @RegisterExtension final SidecarExtension sidecars = new SidecarExtension(LocalSidecar::haproxy);
 * ...
 * LocalSidecar s = sidecars.start(x -> x.routeToPorts("inventory", backend.port()));
 * }</pre>
 */
final class SidecarExtension implements AfterEachCallback {

  private final Supplier<LocalSidecar> factory;
  private final List<LocalSidecar> started = new ArrayList<>();

  SidecarExtension(Supplier<LocalSidecar> factory) {
    this.factory = requireNonNull(factory, "factory");
  }

  /** A new sidecar with routes set by {@code routes}, started and ready. */
  LocalSidecar start(java.util.function.Consumer<LocalSidecar> routes) {
    LocalSidecar s = factory.get();
    started.add(s);
    routes.accept(s);
    return s.start();
  }

  @Override
  public void afterEach(ExtensionContext context) {
    RuntimeException first = null;
    for (LocalSidecar s : started) {
      try {
        s.close();
      } catch (RuntimeException e) {
        if (first == null) {
          first = e;
        }
      }
    }
    started.clear();
    if (first != null) {
      throw first;
    }
  }
}
