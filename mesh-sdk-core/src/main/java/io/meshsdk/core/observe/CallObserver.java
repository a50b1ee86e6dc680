package io.meshsdk.core.observe;

/**
 * Watches one logical call. Callbacks run in order, one at a time, on the calling thread, except the last
 * {@link #onAttemptEnd} and {@link #onCallEnd} of a call that returned a response with a body: they run on the
 * thread that reads or closes that body, when it does. They must be fast and must never throw (the engine logs and
 * ignores a throwing observer, but it costs a stack trace).
 */
public interface CallObserver {

  /** Observes nothing; the engine skips building event objects for it. */
  CallObserver NOOP = new CallObserver() {
    @Override
    public boolean observesAttempts() {
      return false;
    }
  };

  /**
   * Whether this observer wants {@link #onAttemptStart} and {@link #onAttemptEnd}. An observer that only counts
   * calls (events and {@link #onCallEnd}) returns {@code false}, and the engine then builds no {@link AttemptInfo}
   * or {@link AttemptResult} for the call: nothing is allocated for attempts nobody reads. Asked after
   * {@link MeshObserver#onCallStart}, possibly once per attempt; the answer must not change during the call.
   */
  default boolean observesAttempts() {
    return true;
  }

  /** An attempt is about to be sent; {@code headers} may be written (trace context). */
  default void onAttemptStart(AttemptInfo attempt, OutboundHeaders headers) {}

  /** An attempt ended. */
  default void onAttemptEnd(AttemptInfo attempt, AttemptResult result) {}

  /** Something notable happened to the call (a retry, a rejection, a fallback). */
  default void onEvent(MeshEvent event, String detail) {}

  /** The call ended; no callback follows. */
  default void onCallEnd(CallResult result) {}
}
