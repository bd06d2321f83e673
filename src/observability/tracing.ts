import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';

export { SpanKind, type Context, type Span };

/**
 * OpenTelemetry traces, exported over OTLP/HTTP when a collector is configured. One tracer per
 * process (as the SDK intends); spans are made by hand at the few seams that matter (a request,
 * a service call, a database or Redis command, an outbox delivery) rather than by patching
 * modules at load time, which the build and the tests (ts-jest's module registry) do not allow.
 */
let tracer: Tracer | undefined;
let contextManagerSet = false;
const propagator = new W3CTraceContextPropagator();
const headerGetter = {
  get: (carrier: Record<string, unknown>, key: string) => {
    const v = carrier[key];
    return typeof v === 'string' ? v : Array.isArray(v) ? (v[0] as string) : undefined;
  },
  keys: (carrier: Record<string, unknown>) => Object.keys(carrier),
};
const headerSetter = { set: (carrier: Record<string, string>, key: string, value: string) => void (carrier[key] = value) };

export interface TracingSettings {
  url: string;
  serviceName: string;
  ratio: number;
}

/** Starts exporting; the returned function flushes what is pending and stops. */
export function startTracing(settings: TracingSettings): () => Promise<void> {
  if (!contextManagerSet) {
    // Spans follow the request through awaits (AsyncLocalStorage); set once for the process.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerSet = true;
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(settings.ratio) }),
    spanProcessors: [
      new BatchSpanProcessor(new OTLPTraceExporter({ url: settings.url, timeoutMillis: 5_000 }), {
        maxQueueSize: 4_096,
        scheduledDelayMillis: 1_000,
      }),
    ],
  });
  const own = provider.getTracer('imfacade');
  tracer = own;
  return async () => {
    if (tracer === own) tracer = undefined;
    await provider.shutdown().catch(() => undefined);
  };
}

export const tracingOn = () => tracer !== undefined;

let paused: Tracer | undefined;
/** The bench only: stops (and resumes) making spans while the wiring stays as it was started. */
export function pauseTracing(pause: boolean): void {
  if (pause && tracer) [paused, tracer] = [tracer, undefined];
  else if (!pause && paused) [tracer, paused] = [paused, undefined];
}

/** The span of the code running now, when it is recording. */
export const activeSpan = (): Span | undefined => {
  const span = tracer && trace.getActiveSpan();
  return span?.isRecording() ? span : undefined;
};

/** A new span, child of `parent` (the active context when omitted). */
export function startSpan(name: string, kind: SpanKind, attributes?: Attributes, parent: Context = context.active()): Span | undefined {
  return tracer?.startSpan(name, { kind, attributes }, parent);
}

/** Runs `fn` inside a span of its own (a child of the active one); the span ends when `fn` settles. */
export function inSpan<T>(name: string, fn: () => T, attributes?: Attributes, kind = SpanKind.INTERNAL): T {
  const span = startSpan(name, kind, attributes);
  if (!span) return fn();
  const fail = (e: unknown) => {
    span.recordException(e as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
  };
  try {
    const result = context.with(trace.setSpan(context.active(), span), fn);
    if (result instanceof Promise)
      return result.then(
        (v) => (span.end(), v),
        (e: unknown) => {
          fail(e);
          span.end();
          throw e;
        },
      ) as T;
    span.end();
    return result;
  } catch (e) {
    fail(e);
    span.end();
    throw e;
  }
}

/** Marks a span failed (a 5xx answer, a failed command) without an exception object. */
export function failSpan(span: Span, message: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** The context a request's `traceparent` (and `tracestate`) headers name; the root context when none. */
export function contextFromHeaders(headers: Record<string, unknown>): Context {
  return tracer ? propagator.extract(ROOT_CONTEXT, headers, headerGetter) : ROOT_CONTEXT;
}

/** The context with `span` active in it. */
export const withSpan = (span: Span, parent: Context = context.active()): Context => trace.setSpan(parent, span);

/** Runs `fn` in `ctx`. */
export const runIn = <T>(ctx: Context, fn: () => T): T => context.with(ctx, fn);

/** `traceparent` of the active span (or of `ctx`), for what leaves the process; undefined when not tracing. */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  if (!tracer) return undefined;
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, headerSetter);
  return carrier.traceparent;
}

/** Runs `fn` in the context a stored `traceparent` names (an event from another instance, a queued delivery). */
export function inTraceOf<T>(traceparent: string | undefined, fn: () => T): T {
  if (!tracer || !traceparent) return fn();
  return context.with(propagator.extract(ROOT_CONTEXT, { traceparent }, headerGetter), fn);
}

/** For log lines: the active trace and span ids. */
export function traceFields(): { trace_id?: string; span_id?: string } {
  if (!tracer) return {};
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
