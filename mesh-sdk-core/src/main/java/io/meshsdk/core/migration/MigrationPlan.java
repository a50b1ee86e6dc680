package io.meshsdk.core.migration;

import static java.util.Objects.requireNonNull;

import io.meshsdk.core.common.ConfigException;
import io.meshsdk.core.common.ConfigValues;
import io.meshsdk.core.common.ServiceNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A migration plan: the sidecar shares a service steps through, how long each step dwells, and the guards that
 * must hold over a window of calls before the next step (and whose tripping rolls back one step). One plan serves
 * any number of services: each service runs it on its own figures. Property keys, relative to
 * {@code mesh.plans.<name>.}:
 *
 * <pre>
 * steps=1,10,50,100                      # sidecar shares in %, increasing (required)
 * dwell=5m                               # one for every step, or one per step: 2m,5m,10m,30m
 * window=30s                             # the guard window, 1s-60s in whole seconds
 * guard.error-rate.max-increase=1        # trips when sidecar error % &gt; direct error % + 1; "off" to disable
 * guard.error-rate.min-calls=100         # sidecar calls in the window before it can trip or allow an advance
 * guard.p99.max-ratio=1.5                # trips when sidecar p99 &gt; 1.5 x direct p99 ...; "off" to disable
 * guard.p99.min-increase=5ms             # ... and &gt; direct p99 + 5ms (sub-millisecond noise never trips)
 * guard.p99.min-calls=100
 * cool-down=5m                           # after a rollback: hold the lower step this long before retrying
 * max-retries=2                          # retries of a failed step; one more trip and the plan FAILS
 * evaluation-interval=1s                 # how often the guards are evaluated
 * services=orders,payments               # services that follow the plan (or route.plan=&lt;name&gt; per service)
 * </pre>
 *
 * @param name the plan's name
 * @param steps sidecar shares in %, strictly increasing, 1 to 100
 * @param dwell how long each step lasts at least, one per step
 * @param window the guard window (whole seconds, 1 to 60)
 * @param errorRate the error-rate guard, or {@code null} when off
 * @param p99 the latency guard, or {@code null} when off
 * @param coolDown after a rollback, how long the lower step holds before the failed step is retried
 * @param maxRetries how many times a failed step is retried; one more trip fails the plan
 * @param evaluationInterval how often the guards are evaluated
 * @param services services that follow this plan (besides those with {@code route.plan=<name>})
 */
public record MigrationPlan(String name, List<Integer> steps, List<Duration> dwell, Duration window,
    @Nullable ErrorRateGuard errorRate, @Nullable LatencyGuard p99, Duration coolDown, int maxRetries,
    Duration evaluationInterval, List<String> services) {

  /** Most steps a plan may have. */
  public static final int MAX_STEPS = 20;
  /** Longest guard window: the migration statistics keep 60 one-second buckets. */
  public static final int MAX_WINDOW_SECONDS = 60;
  static final String KEYS = "steps, dwell, window, guard.error-rate.max-increase, guard.error-rate.min-calls,"
      + " guard.p99.max-ratio, guard.p99.min-increase, guard.p99.min-calls, cool-down, max-retries,"
      + " evaluation-interval or services";
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9_-]{0,61}[a-z0-9])?");

  /**
   * Trips when the sidecar path's error rate exceeds the direct path's by more than {@code maxIncreasePoints}
   * percentage points.
   *
   * @param maxIncreasePoints allowed excess, in percentage points (0 to 100)
   * @param minCalls sidecar calls in the window before the guard can trip or allow an advance
   */
  public record ErrorRateGuard(double maxIncreasePoints, int minCalls) {
    /** Validates. */
    public ErrorRateGuard {
      ConfigValues.requireRange("guard.error-rate.max-increase", maxIncreasePoints, 0, 100);
      ConfigValues.requirePositive("guard.error-rate.min-calls", minCalls);
    }
  }

  /**
   * Trips when the sidecar path's p99 exceeds both {@code maxRatio} times the direct path's p99 and the direct p99
   * plus {@code minIncrease}.
   *
   * @param maxRatio allowed ratio, more than 1
   * @param minIncrease an absolute margin below which a ratio never trips (the ~20 % histogram resolution and
   *     sub-millisecond noise of fast calls)
   * @param minCalls sidecar calls in the window before the guard can trip or allow an advance
   */
  public record LatencyGuard(double maxRatio, Duration minIncrease, int minCalls) {
    /** Validates. */
    public LatencyGuard {
      requireNonNull(minIncrease, "minIncrease");
      if (!(maxRatio > 1 && maxRatio <= 1000)) {
        throw new ConfigException("guard.p99.max-ratio", maxRatio, "a ratio above 1 and at most 1000, or off");
      }
      ConfigValues.requireNonNegative("guard.p99.min-increase", minIncrease);
      ConfigValues.requirePositive("guard.p99.min-calls", minCalls);
    }
  }

  /** Validates and copies; a bad value throws a {@link ConfigException} naming the plan-relative key. */
  public MigrationPlan {
    requireNonNull(name, "name");
    if (!NAME.matcher(name).matches()) {
      throw new ConfigException("name", name, "a plan name of lower-case letters, digits, '-' and '_', starting"
          + " and ending with a letter or digit, at most 63 characters");
    }
    steps = List.copyOf(steps);
    if (steps.isEmpty() || steps.size() > MAX_STEPS) {
      throw new ConfigException("steps", join(steps), STEPS_EXPECTED);
    }
    int previous = 0;
    for (int s : steps) {
      if (s <= previous || s > 100) {
        throw new ConfigException("steps", join(steps), STEPS_EXPECTED);
      }
      previous = s;
    }
    dwell = List.copyOf(dwell);
    if (dwell.size() != steps.size()) {
      throw new ConfigException("dwell", join(dwell), "one duration for every step, or one per step ("
          + steps.size() + " steps: " + join(steps) + ")");
    }
    for (Duration d : dwell) {
      ConfigValues.requireNonNegative("dwell", d);
    }
    requireNonNull(window, "window");
    if (window.toNanos() % 1_000_000_000L != 0 || window.toSeconds() < 1
        || window.toSeconds() > MAX_WINDOW_SECONDS) {
      throw new ConfigException("window", window, WINDOW_EXPECTED);
    }
    ConfigValues.requireNonNegative("cool-down", coolDown);
    ConfigValues.requireNonNegative("max-retries", maxRetries);
    requireNonNull(evaluationInterval, "evaluationInterval");
    if (evaluationInterval.toMillis() < 100 || evaluationInterval.compareTo(window) > 0) {
      throw new ConfigException("evaluation-interval", evaluationInterval,
          "a duration from 100ms to the window (" + window.toSeconds() + "s)");
    }
    List<String> names = new ArrayList<>();
    for (String s : services) {
      String c = ServiceNames.canonical("services", s);
      if (!names.contains(c)) {
        names.add(c);
      }
    }
    services = List.copyOf(names);
  }

  private static final String WINDOW_EXPECTED = "a whole number of seconds from 1s to 60s (the migration"
      + " statistics keep 60 one-second buckets)";
  private static final String STEPS_EXPECTED = "1 to " + MAX_STEPS + " comma-separated sidecar shares in %, each"
      + " 1-100, strictly increasing, e.g. 1,10,50,100";

  /** A builder for plan {@code name}, starting from the defaults. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The dwell of step {@code index} (0-based). */
  public Duration dwell(int index) {
    return dwell.get(index);
  }

  /** The guard window in seconds. */
  public int windowSeconds() {
    return (int) window.toSeconds();
  }

  /** A copy that also lists {@code service} (canonical name) in {@link #services()}. */
  public MigrationPlan withService(String service) {
    List<String> more = new ArrayList<>(services);
    more.add(service);
    return new MigrationPlan(name, steps, dwell, window, errorRate, p99, coolDown, maxRetries, evaluationInterval,
        more);
  }

  @Override
  public String toString() {
    return "plan " + name + " steps " + join(steps) + " dwell " + join(dwell) + " window " + window.toSeconds() + "s"
        + (errorRate == null ? " error-rate off"
            : String.format(Locale.ROOT, " error-rate +%spp/%d", fmt(errorRate.maxIncreasePoints()),
                errorRate.minCalls()))
        + (p99 == null ? " p99 off"
            : String.format(Locale.ROOT, " p99 x%s+%dms/%d", fmt(p99.maxRatio()), p99.minIncrease().toMillis(),
                p99.minCalls()))
        + " cool-down " + format(coolDown) + " max-retries " + maxRetries;
  }

  static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  private static String join(List<?> list) {
    StringBuilder sb = new StringBuilder();
    for (Object o : list) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(o instanceof Duration d ? format(d) : String.valueOf(o));
    }
    return sb.toString();
  }

  private static String format(Duration d) {
    return d.toNanos() % 1_000_000_000L == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /**
   * Reads every plan under {@code mesh.plans.<name>.*} of {@code properties}, by name.
   *
   * @throws ConfigException naming the full key of the first invalid entry
   */
  public static Map<String, MigrationPlan> fromProperties(Map<String, String> properties) {
    requireNonNull(properties, "properties");
    Map<String, Builder> builders = new TreeMap<>();
    for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
      String key = e.getKey();
      if (!key.startsWith("mesh.plans.")) {
        continue;
      }
      String rest = key.substring("mesh.plans.".length());
      int dot = rest.indexOf('.');
      if (dot <= 0) {
        throw new ConfigException(key, e.getValue(), "mesh.plans.<name>.<key> with <key> one of " + KEYS);
      }
      String name = rest.substring(0, dot);
      Builder b;
      try {
        b = builders.computeIfAbsent(name, Builder::new);
      } catch (ConfigException ex) {
        throw new ConfigException(key, e.getValue(), ex.expected());
      }
      try {
        b.set(rest.substring(dot + 1), e.getValue());
      } catch (ConfigException ex) {
        throw ex.withKeyPrefix("mesh.plans." + name + ".");
      }
    }
    Map<String, MigrationPlan> plans = new TreeMap<>();
    builders.forEach((name, b) -> {
      try {
        plans.put(name, b.build());
      } catch (ConfigException ex) {
        throw ex.withKeyPrefix("mesh.plans." + name + ".");
      }
    });
    return plans;
  }

  /** Builds a {@link MigrationPlan}; the defaults are those of the key list above (steps are required). */
  public static final class Builder {
    private final String name;
    private List<Integer> steps = List.of();
    private List<Duration> dwell = List.of(Duration.ofMinutes(5));
    private String dwellText = "5m";
    private Duration window = Duration.ofSeconds(30);
    private double errorRateIncrease = 1.0;
    private boolean errorRateOff;
    private int errorRateMinCalls = 100;
    private double p99Ratio = 1.5;
    private boolean p99Off;
    private Duration p99MinIncrease = Duration.ofMillis(5);
    private int p99MinCalls = 100;
    private Duration coolDown = Duration.ofMinutes(5);
    private int maxRetries = 2;
    private Duration evaluationInterval = Duration.ofSeconds(1);
    private List<String> services = List.of();

    private Builder(String name) {
      requireNonNull(name, "name");
      if (!NAME.matcher(name).matches()) {
        throw new ConfigException("name", name, "a plan name of lower-case letters, digits, '-' and '_',"
            + " starting and ending with a letter or digit, at most 63 characters");
      }
      this.name = name;
    }

    /** The sidecar shares, in %, strictly increasing. */
    public Builder steps(int... percents) {
      List<Integer> list = new ArrayList<>();
      for (int p : percents) {
        list.add(p);
      }
      this.steps = list;
      return this;
    }

    /** One dwell for every step, or one per step. */
    public Builder dwell(Duration... perStep) {
      this.dwell = List.of(perStep);
      this.dwellText = join(dwell);
      return this;
    }

    /** The guard window (whole seconds, 1 to 60). */
    public Builder window(Duration window) {
      this.window = requireNonNull(window, "window");
      return this;
    }

    /** The error-rate guard: trips above direct + {@code maxIncreasePoints} percentage points. */
    public Builder errorRateGuard(double maxIncreasePoints, int minCalls) {
      this.errorRateOff = false;
      this.errorRateIncrease = maxIncreasePoints;
      this.errorRateMinCalls = minCalls;
      return this;
    }

    /** Switches the error-rate guard off. */
    public Builder noErrorRateGuard() {
      this.errorRateOff = true;
      return this;
    }

    /** The latency guard: trips above {@code maxRatio} x direct p99 and direct p99 + {@code minIncrease}. */
    public Builder p99Guard(double maxRatio, Duration minIncrease, int minCalls) {
      this.p99Off = false;
      this.p99Ratio = maxRatio;
      this.p99MinIncrease = requireNonNull(minIncrease, "minIncrease");
      this.p99MinCalls = minCalls;
      return this;
    }

    /** Switches the latency guard off. */
    public Builder noP99Guard() {
      this.p99Off = true;
      return this;
    }

    /** After a rollback, how long the lower step holds before the failed step is retried. */
    public Builder coolDown(Duration coolDown) {
      this.coolDown = requireNonNull(coolDown, "coolDown");
      return this;
    }

    /** How many times a failed step is retried before the plan fails. */
    public Builder maxRetries(int maxRetries) {
      this.maxRetries = maxRetries;
      return this;
    }

    /** How often the guards are evaluated (100ms to the window). */
    public Builder evaluationInterval(Duration interval) {
      this.evaluationInterval = requireNonNull(interval, "interval");
      return this;
    }

    /** The services that follow the plan. */
    public Builder services(String... services) {
      this.services = List.of(services);
      return this;
    }

    /**
     * Sets one property by its key relative to {@code mesh.plans.<name>.}.
     *
     * @throws ConfigException naming the relative key for an unknown key or a bad value
     */
    public Builder set(String key, String value) {
      requireNonNull(key, "key");
      requireNonNull(value, "value");
      String v = value.trim();
      boolean off = v.equalsIgnoreCase("off");
      switch (key) {
        case "steps" -> steps = parseSteps(value);
        case "dwell" -> {
          List<Duration> list = new ArrayList<>();
          for (String part : value.split(",", -1)) {
            list.add(nonNegative(key, part));
          }
          dwell = list;
          dwellText = value;
        }
        case "window" -> {
          Duration w = ConfigValues.parseDuration(key, value);
          if (w.toNanos() % 1_000_000_000L != 0 || w.toSeconds() < 1 || w.toSeconds() > MAX_WINDOW_SECONDS) {
            throw new ConfigException(key, value, WINDOW_EXPECTED);
          }
          window = w;
        }
        case "guard.error-rate.max-increase" -> {
          errorRateOff = off;
          if (!off) {
            errorRateIncrease = ConfigValues.requireRange(key, number(key, v, "a number of percentage points"
                + " 0-100, or off"), 0, 100);
          }
        }
        case "guard.error-rate.min-calls" -> errorRateMinCalls =
            ConfigValues.requirePositive(key, ConfigValues.parseInt(key, value));
        case "guard.p99.max-ratio" -> {
          p99Off = off;
          if (!off) {
            p99Ratio = number(key, v, "a ratio above 1 and at most 1000, or off");
            if (!(p99Ratio > 1 && p99Ratio <= 1000)) {
              throw new ConfigException(key, value, "a ratio above 1 and at most 1000, or off");
            }
          }
        }
        case "guard.p99.min-increase" -> p99MinIncrease = nonNegative(key, value);
        case "guard.p99.min-calls" -> p99MinCalls = ConfigValues.requirePositive(key, ConfigValues.parseInt(key, value));
        case "cool-down" -> coolDown = nonNegative(key, value);
        case "max-retries" -> maxRetries = ConfigValues.requireNonNegative(key, ConfigValues.parseInt(key, value));
        case "evaluation-interval" -> {
          Duration d = ConfigValues.parseDuration(key, value);
          if (d.toMillis() < 100) {
            throw new ConfigException(key, value, "a duration from 100ms to the window");
          }
          evaluationInterval = d;
        }
        case "services" -> {
          List<String> list = new ArrayList<>();
          for (String part : value.split(",")) {
            if (!part.isBlank()) {
              list.add(ServiceNames.canonical(key, part.trim()));
            }
          }
          services = list;
        }
        default -> throw new ConfigException(key, value, KEYS);
      }
      return this;
    }

    private static Duration nonNegative(String key, String text) {
      Duration d = ConfigValues.parseDuration(key, text);
      try {
        return ConfigValues.requireNonNegative(key, d);
      } catch (ConfigException e) {
        throw new ConfigException(key, text, e.expected());
      }
    }

    private static double number(String key, String v, String expected) {
      try {
        double d = Double.parseDouble(v);
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new NumberFormatException();
        }
        return d;
      } catch (NumberFormatException e) {
        throw new ConfigException(key, v, expected);
      }
    }

    private static List<Integer> parseSteps(String value) {
      List<Integer> list = new ArrayList<>();
      int previous = 0;
      for (String part : value.split(",", -1)) {
        int p;
        try {
          p = Integer.parseInt(part.trim().toLowerCase(Locale.ROOT).replace("%", ""));
        } catch (NumberFormatException e) {
          throw new ConfigException("steps", value, STEPS_EXPECTED);
        }
        if (p <= previous || p > 100) {
          throw new ConfigException("steps", value, STEPS_EXPECTED);
        }
        previous = p;
        list.add(p);
      }
      if (list.size() > MAX_STEPS) {
        throw new ConfigException("steps", value, STEPS_EXPECTED);
      }
      return list;
    }

    /** Builds and validates. */
    public MigrationPlan build() {
      if (steps.isEmpty()) {
        throw new ConfigException("steps", "", "required: " + STEPS_EXPECTED);
      }
      List<Duration> d = dwell;
      if (d.size() != 1 && d.size() != steps.size()) {
        throw new ConfigException("dwell", dwellText, "one duration for every step, or one per step ("
            + steps.size() + " steps: " + join(steps) + ")");
      }
      if (d.size() == 1 && steps.size() > 1) {
        List<Duration> all = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
          all.add(d.get(0));
        }
        d = all;
      }
      return new MigrationPlan(name, steps, d, window,
          errorRateOff ? null : new ErrorRateGuard(errorRateIncrease, errorRateMinCalls),
          p99Off ? null : new LatencyGuard(p99Ratio, p99MinIncrease, p99MinCalls),
          coolDown, maxRetries, evaluationInterval, services);
    }
  }
}
