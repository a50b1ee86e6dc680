package io.meshsdk.core.resilience;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * Retries and the retry budget. A connect failure is always retryable (the request never left); a status in
 * {@code statuses}, a reset or a timeout only for idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE) unless
 * {@code nonIdempotent} is set. Each retry goes to another endpoint when one exists, after an exponential
 * backoff with jitter (resilience4j {@code IntervalFunction}) or the response's {@code Retry-After} if longer.
 * Keys under {@code retry.}: {@code enabled}, {@code max-attempts}, {@code backoff}, {@code backoff-multiplier},
 * {@code max-backoff}, {@code jitter}, {@code statuses}, {@code non-idempotent}, {@code budget.percent},
 * {@code budget.window}, {@code budget.min-per-second}, {@code buffer-limit}.
 *
 * <p>A request body is sent again only when it can be: a request without a body, a connect failure (the body never
 * left), or a body of known length up to {@code buffer-limit} bytes, which the mesh reads into memory once before
 * the first attempt and replays from there (a one-shot body of known length too: that read is its one read). A
 * duplex body, or one of unknown or larger length, is never resent: the call returns the failed attempt's answer
 * (or throws its exception) and records {@code RETRY_SKIPPED}.
 *
 * @param enabled whether calls are retried at all
 * @param maxAttempts attempts per call including the first, 1-10
 * @param backoff the first backoff
 * @param backoffMultiplier growth of the backoff per retry, >= 1
 * @param maxBackoff cap of the backoff; a {@code Retry-After} longer than this is not waited for (no retry)
 * @param jitter randomization factor of the backoff, 0-1
 * @param statuses HTTP statuses that are retryable, 400-599
 * @param nonIdempotent whether non-idempotent methods are retried after the request may have been sent
 * @param budgetPercent retries may add at most this share (0-100 %) of the requests in the budget window...
 * @param budgetWindow ... measured over this window
 * @param budgetMinPerSecond ... plus this many retries per second of the window (a floor for low traffic)
 * @param bufferLimit the largest request body (bytes) held in memory so that it can be sent again, 0 to
 *     {@value #MAX_BUFFER_LIMIT} (0: never buffer, never resend a body)
 */
public record RetryConfig(
    boolean enabled,
    int maxAttempts,
    Duration backoff,
    double backoffMultiplier,
    Duration maxBackoff,
    double jitter,
    Set<Integer> statuses,
    boolean nonIdempotent,
    int budgetPercent,
    Duration budgetWindow,
    int budgetMinPerSecond,
    int bufferLimit) {

  /** 3 attempts: the first and two retries. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** 25 ms (as Envoy). */
  public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(25);
  /** 1 s. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(1);
  /** 20 % (as Finagle's and Linkerd's retry budgets). */
  public static final int DEFAULT_BUDGET_PERCENT = 20;
  /** 10 s. */
  public static final Duration DEFAULT_BUDGET_WINDOW = Duration.ofSeconds(10);
  /** 3 per second. */
  public static final int DEFAULT_BUDGET_MIN_PER_SECOND = 3;
  /** 502, 503, 504. */
  public static final Set<Integer> DEFAULT_STATUSES = Set.of(502, 503, 504);
  /** 64 KiB. */
  public static final int DEFAULT_BUFFER_LIMIT = 64 * 1024;
  /** 16 MiB: the largest replay buffer. */
  public static final int MAX_BUFFER_LIMIT = 16 * 1024 * 1024;

  private static final RetryConfig DEFAULTS = builder().build();

  /** Validates every component. */
  public RetryConfig {
    ConfigValues.requireRange("retry.max-attempts", maxAttempts, 1, 10);
    ConfigValues.requirePositive("retry.backoff", requireNonNull(backoff, "backoff"));
    ConfigValues.requireRange("retry.backoff-multiplier", backoffMultiplier, 1.0, 10.0);
    ConfigValues.requirePositive("retry.max-backoff", requireNonNull(maxBackoff, "maxBackoff"));
    ConfigValues.requireRange("retry.jitter", jitter, 0.0, 1.0);
    statuses = Set.copyOf(requireNonNull(statuses, "statuses"));
    statuses.forEach(s -> ConfigValues.requireRange("retry.statuses", s, 400, 599));
    ConfigValues.requireRange("retry.budget.percent", budgetPercent, 0, 100);
    ConfigValues.requirePositive("retry.budget.window", requireNonNull(budgetWindow, "budgetWindow"));
    ConfigValues.requireNonNegative("retry.budget.min-per-second", budgetMinPerSecond);
    ConfigValues.requireRange("retry.buffer-limit", bufferLimit, 0, MAX_BUFFER_LIMIT);
    if (maxBackoff.compareTo(backoff) < 0) {
      throw new ConfigException("retry.max-backoff", maxBackoff, ">= retry.backoff (" + backoff + ")");
    }
  }

  /** The defaults. */
  public static RetryConfig ofDefaults() {
    return DEFAULTS;
  }

  /** A builder from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder from {@code base}. */
  public static Builder from(RetryConfig base) {
    Builder b = new Builder();
    b.enabled = base.enabled;
    b.maxAttempts = base.maxAttempts;
    b.backoff = base.backoff;
    b.backoffMultiplier = base.backoffMultiplier;
    b.maxBackoff = base.maxBackoff;
    b.jitter = base.jitter;
    b.statuses = base.statuses;
    b.nonIdempotent = base.nonIdempotent;
    b.budgetPercent = base.budgetPercent;
    b.budgetWindow = base.budgetWindow;
    b.budgetMinPerSecond = base.budgetMinPerSecond;
    b.bufferLimit = base.bufferLimit;
    return b;
  }

  /** Attempts a call may make: {@link #maxAttempts()} when enabled, else 1. */
  public int effectiveMaxAttempts() {
    return enabled ? maxAttempts : 1;
  }

  /** Builds a {@link RetryConfig}; every setter validates. */
  public static final class Builder {
    private boolean enabled = true;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration backoff = DEFAULT_BACKOFF;
    private double backoffMultiplier = 2.0;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private double jitter = 0.5;
    private Set<Integer> statuses = DEFAULT_STATUSES;
    private boolean nonIdempotent;
    private int budgetPercent = DEFAULT_BUDGET_PERCENT;
    private Duration budgetWindow = DEFAULT_BUDGET_WINDOW;
    private int budgetMinPerSecond = DEFAULT_BUDGET_MIN_PER_SECOND;
    private int bufferLimit = DEFAULT_BUFFER_LIMIT;

    private Builder() {}

    /** Turns retries on or off. */
    public Builder enabled(boolean enabled) {
      this.enabled = enabled;
      return this;
    }

    /** Attempts per call including the first, 1-10. */
    public Builder maxAttempts(int n) {
      this.maxAttempts = ConfigValues.requireRange("retry.max-attempts", n, 1, 10);
      return this;
    }

    /** The first backoff. */
    public Builder backoff(Duration d) {
      this.backoff = ConfigValues.requirePositive("retry.backoff", requireNonNull(d, "d"));
      return this;
    }

    /** Backoff growth per retry, 1-10. */
    public Builder backoffMultiplier(double m) {
      this.backoffMultiplier = ConfigValues.requireRange("retry.backoff-multiplier", m, 1.0, 10.0);
      return this;
    }

    /** Backoff cap. */
    public Builder maxBackoff(Duration d) {
      this.maxBackoff = ConfigValues.requirePositive("retry.max-backoff", requireNonNull(d, "d"));
      return this;
    }

    /** Randomization factor, 0-1. */
    public Builder jitter(double j) {
      this.jitter = ConfigValues.requireRange("retry.jitter", j, 0.0, 1.0);
      return this;
    }

    /** Retryable statuses, each 400-599. */
    public Builder statuses(Set<Integer> statuses) {
      requireNonNull(statuses, "statuses").forEach(s -> ConfigValues.requireRange("retry.statuses", s, 400, 599));
      this.statuses = Set.copyOf(statuses);
      return this;
    }

    /** Whether non-idempotent methods are retried after the request may have left. */
    public Builder nonIdempotent(boolean on) {
      this.nonIdempotent = on;
      return this;
    }

    /** Budget share of requests, 0-100. */
    public Builder budgetPercent(int percent) {
      this.budgetPercent = ConfigValues.requireRange("retry.budget.percent", percent, 0, 100);
      return this;
    }

    /** Budget window. */
    public Builder budgetWindow(Duration d) {
      this.budgetWindow = ConfigValues.requirePositive("retry.budget.window", requireNonNull(d, "d"));
      return this;
    }

    /** Budget floor per second, >= 0. */
    public Builder budgetMinPerSecond(int n) {
      this.budgetMinPerSecond = ConfigValues.requireNonNegative("retry.budget.min-per-second", n);
      return this;
    }

    /** Largest request body (bytes) buffered so that it can be resent, 0 to 16 MiB (0: never resend a body). */
    public Builder bufferLimit(int bytes) {
      this.bufferLimit = ConfigValues.requireRange("retry.buffer-limit", bytes, 0, MAX_BUFFER_LIMIT);
      return this;
    }

    /** Sets a property relative to {@code retry.}; false if the key is unknown. */
    public boolean set(String key, String value) {
      String k = "retry." + key;
      switch (key) {
        case "enabled" -> enabled(ConfigValues.parseBoolean(k, value));
        case "max-attempts" -> maxAttempts(ConfigValues.parseInt(k, value));
        case "backoff" -> backoff(ConfigValues.parseDuration(k, value));
        case "backoff-multiplier" -> backoffMultiplier(ConfigValues.parseDouble(k, value));
        case "max-backoff" -> maxBackoff(ConfigValues.parseDuration(k, value));
        case "jitter" -> jitter(ConfigValues.parseDouble(k, value));
        case "statuses" -> statuses(parseStatuses(k, value));
        case "non-idempotent" -> nonIdempotent(ConfigValues.parseBoolean(k, value));
        case "budget.percent" -> budgetPercent(ConfigValues.parseInt(k, value));
        case "budget.window" -> budgetWindow(ConfigValues.parseDuration(k, value));
        case "budget.min-per-second" -> budgetMinPerSecond(ConfigValues.parseInt(k, value));
        case "buffer-limit" -> bufferLimit(ConfigValues.parseBytes(k, value));
        default -> {
          return false;
        }
      }
      return true;
    }

    private static Set<Integer> parseStatuses(String key, String value) {
      Set<Integer> out = new TreeSet<>();
      if (value.isBlank()) {
        return out;
      }
      try {
        for (String part : value.split(",")) {
          out.add(ConfigValues.requireRange(key, ConfigValues.parseInt(key, part), 400, 599));
        }
      } catch (ConfigException e) {
        throw new ConfigException(key, value, "a comma-separated list of statuses 400-599");
      }
      return out;
    }

    /** Builds and cross-checks the config. */
    public RetryConfig build() {
      return new RetryConfig(enabled, maxAttempts, backoff, backoffMultiplier, maxBackoff, jitter, statuses,
          nonIdempotent, budgetPercent, budgetWindow, budgetMinPerSecond, bufferLimit);
    }
  }
}
