package io.meshsdk.core.security.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reloading from a watched file: bad versions never replace a good one, and are reported once. */
class PolicyFileTest {

  private static final String GOOD = "service orders\ndefault deny\nallow web caller=web\n";
  private static final String GOOD2 = "service orders\ndefault deny\nallow web caller=web\nallow ops caller=ops\n";
  private static final String BAD = "service orders\ndefault deny\nallow web caller=web metod=GET\n";

  @TempDir Path dir;
  private final RecordingLog log = new RecordingLog();
  private final PolicyHolder holder =
      new PolicyHolder(AccessPolicy.allowAll(), Duration.ofSeconds(60), new FakeTicker(), log);

  private Path write(String content) throws IOException {
    return Files.writeString(dir.resolve("policy.conf"), content);
  }

  private String decide(String caller) {
    return holder.current().inbound("orders").decide(caller, "GET", "/", null).ruleId();
  }

  @Test
  void goodToBadKeepsTheGoodOneAndLogsOnceThenBadToGoodClearsTheError() throws Exception {
    Path file = write(GOOD);
    try (PolicyFile pf = PolicyFile.of(file, holder)) {
      assertThat(decide("web")).isEqualTo("web");
      assertThat(pf.lastError()).isNull();
      assertThat(holder.current().sourceName()).isEqualTo(file.toString());

      write(BAD);
      assertThat(pf.checkNow()).isFalse();
      assertThat(pf.checkNow()).isFalse();
      assertThat(pf.poll()).isFalse();
      assertThat(pf.poll()).isFalse();
      assertThat(decide("web")).isEqualTo("web");
      assertThat(pf.lastError()).isNotNull();
      assertThat(pf.lastError().line()).isEqualTo(3);
      assertThat(pf.lastError().getMessage()).startsWith(file + ":3: unknown key \"metod\"");
      assertThat(log.errors).hasSize(1);

      write(BAD.replace("metod", "methd")); // another error: another line
      assertThat(pf.checkNow()).isFalse();
      assertThat(log.errors).hasSize(2);

      write(GOOD2);
      assertThat(pf.checkNow()).isTrue();
      assertThat(pf.lastError()).isNull();
      assertThat(decide("ops")).isEqualTo("ops");
      assertThat(log.applied).last().asString().contains("applied (2 rules)");
    }
  }

  @Test
  void aDeletedFileKeepsThePolicyAndIsLoggedOnce() throws Exception {
    Path file = write(GOOD);
    try (PolicyFile pf = PolicyFile.of(file, holder)) {
      Files.delete(file);
      assertThat(pf.poll()).isFalse(); // the first failed read may be a rename in progress
      assertThat(pf.lastError()).isNull();
      assertThat(pf.poll()).isFalse();
      assertThat(pf.poll()).isFalse();
      assertThat(pf.checkNow()).isFalse();
      assertThat(pf.lastError()).isNotNull();
      assertThat(pf.lastError().getMessage()).isEqualTo(file + ": cannot read: no such file");
      assertThat(log.errors).hasSize(1);
      assertThat(decide("web")).isEqualTo("web");

      write(GOOD); // back as it was
      assertThat(pf.poll()).isFalse();
      assertThat(pf.poll()).isFalse();
      assertThat(pf.lastError()).isNull();
      assertThat(decide("web")).isEqualTo("web");
    }
  }

  @Test
  void aPartialWriteIsNeverApplied() throws Exception {
    Path file = write(GOOD);
    try (PolicyFile pf = PolicyFile.of(file, holder)) {
      // caught mid-write: half of the second rule ("allow ops caller=o") still parses on its own
      write(GOOD2.substring(0, GOOD2.length() - 3));
      assertThat(pf.poll()).isFalse();
      write(GOOD2);
      assertThat(pf.poll()).isFalse(); // changed since the last poll: wait
      assertThat(decide("o")).isEqualTo("default");
      assertThat(decide("ops")).isEqualTo("default");
      assertThat(pf.poll()).isTrue(); // two identical reads
      assertThat(decide("ops")).isEqualTo("ops");
      // a half rule that does not parse is not reported while it is settling
      write(GOOD2 + "allow x path=/a/{i");
      assertThat(pf.poll()).isFalse();
      write(GOOD2);
      assertThat(pf.poll()).isFalse();
      assertThat(log.errors).isEmpty();
      assertThat(pf.lastError()).isNull();
    }
  }

  @Test
  void aMissingOrMalformedFileAtStartFailsFast() throws IOException {
    PolicyException missing = catchThrowableOfType(PolicyException.class,
        () -> PolicyFile.of(dir.resolve("nope.conf"), holder));
    assertThat(missing.getMessage()).isEqualTo(dir.resolve("nope.conf") + ": cannot read: no such file");
    Path bad = write(BAD);
    PolicyException malformed = catchThrowableOfType(PolicyException.class, () -> PolicyFile.of(bad, holder));
    assertThat(malformed.line()).isEqualTo(3);
    Files.write(bad, new byte[] {'s', 'e', 'r', 'v', 'i', 'c', 'e', ' ', (byte) 0xff});
    PolicyException notUtf8 = catchThrowableOfType(PolicyException.class, () -> PolicyFile.of(bad, holder));
    assertThat(notUtf8.reason()).startsWith("not UTF-8");
    assertThat(holder.current()).isSameAs(holder.current());
    assertThat(holder.current().ruleCount()).isZero();
  }

  @Test
  void thePollerAppliesAChange() throws Exception {
    Path file = write(GOOD);
    try (PolicyFile pf = PolicyFile.watch(file, Duration.ofMillis(20), holder)) {
      java.time.Instant first = pf.lastApplied();
      Files.writeString(dir.resolve("tmp"), GOOD2, StandardCharsets.UTF_8);
      Files.move(dir.resolve("tmp"), file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      await().atMost(Duration.ofSeconds(10)).until(() -> decide("ops").equals("ops"));
      assertThat(pf.lastApplied()).isAfterOrEqualTo(first);
    }
  }

  @Test
  void watchFromConfig() throws Exception {
    Path file = write(GOOD);
    PolicyConfig config = PolicyConfig.fromProperties(java.util.Map.of("mesh.policy.file", file.toString(),
        "mesh.policy.refresh-interval", "1h", "mesh.policy.log-interval", "10s"));
    try (PolicyFile pf = PolicyFile.watch(config)) {
      assertThat(pf.holder().logInterval()).isEqualTo(Duration.ofSeconds(10));
      assertThat(pf.holder().current().ruleCount()).isEqualTo(1);
    }
  }
}
