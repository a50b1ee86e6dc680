package io.meshsdk.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import java.util.List;

/**
 * The sampler of an SDK that {@link MeshTracing} builds: parent-based with a trace-id ratio for roots, except
 * for the spans of a mesh call whose root decision the mesh already made (without allocating) before starting
 * them, so that the ratio is not applied twice.
 */
final class MeshSampler implements Sampler {

  /** Marks the parent context of a root call's spans the mesh decided to sample. */
  static final ContextKey<Boolean> ROOT_DECIDED = ContextKey.named("io.meshsdk.tracing.sampled");

  private final Sampler delegate;

  MeshSampler(double ratio) {
    this.delegate = Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
  }

  @Override
  public SamplingResult shouldSample(
      Context parentContext,
      String traceId,
      String name,
      SpanKind spanKind,
      Attributes attributes,
      List<LinkData> parentLinks) {
    if (parentContext.get(ROOT_DECIDED) != null) {
      return SamplingResult.recordAndSample();
    }
    return delegate.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
  }

  @Override
  public String getDescription() {
    return "MeshSampler{" + delegate.getDescription() + "}";
  }
}
