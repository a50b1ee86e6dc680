package io.meshsdk.discovery.etcd;

import java.io.IOException;

/**
 * etcd could not be read or written (down, unreachable, timed out): what discovery reports to its watchers, and
 * what the registry names when it says a registration is LOST.
 */
public final class EtcdUnavailableException extends IOException {

  private static final long serialVersionUID = 1L;

  EtcdUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
