package io.meshsdk.core.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;

class OutcomeTest {

  @Test
  void statusesAndFailuresAreClassifiedAndOnlyEndpointFaultsCount() {
    assertThat(Outcome.ofStatus(200)).isEqualTo(Outcome.SUCCESS);
    assertThat(Outcome.ofStatus(404)).isEqualTo(Outcome.CLIENT_ERROR);
    assertThat(Outcome.ofStatus(503)).isEqualTo(Outcome.SERVER_ERROR);
    assertThat(Outcome.ofFailure(new ConnectException("refused"), false)).isEqualTo(Outcome.CONNECT_ERROR);
    assertThat(Outcome.ofFailure(new SocketTimeoutException("read timed out"), false)).isEqualTo(Outcome.TIMEOUT);
    assertThat(Outcome.ofFailure(new InterruptedIOException("timeout"), false)).isEqualTo(Outcome.TIMEOUT);
    assertThat(Outcome.ofFailure(new InterruptedIOException("interrupted"), false)).isEqualTo(Outcome.CANCELLED);
    assertThat(Outcome.ofFailure(new IOException("Canceled"), true)).isEqualTo(Outcome.CANCELLED);
    assertThat(Outcome.ofFailure(new IOException("unexpected end of stream"), false)).isEqualTo(Outcome.IO_ERROR);
    assertThat(Outcome.CANCELLED.isEndpointFailure()).isFalse();
    assertThat(Outcome.CLIENT_ERROR.isEndpointFailure()).isFalse();
    assertThat(Outcome.TIMEOUT.isEndpointFailure()).isTrue();
  }
}
