import { z } from 'zod';
import { envVar, section } from './define';
import { bool, port } from './types';

const ratio = z.coerce.number().min(0).max(1);

/**
 * Metrics, traces and the operator console (docs/OPERATIONS.md). All off by default: each is
 * switched on by the variable that says where it goes or who may see it.
 */
export const observabilitySection = section(
  'observability',
  {
    METRICS_TOKEN: envVar(
      z.string().min(24, 'must be at least 24 characters').optional(),
      'bearer token that may read `GET /metrics` (Prometheus text) on the main port; unset and no `METRICS_PORT` = metrics off',
    ),
    METRICS_PORT: envVar(
      port.optional(),
      'serve `GET /metrics` on this port of `HOST` instead, without a token (bind it where only Prometheus reaches)',
    ),
    CONSOLE_ENABLED: envVar(
      bool.default(false),
      'serve the operator console at `/console` (sign-in with `OPERATOR_TOKEN`); it turns metrics recording on for its live figures',
    ),
    OTEL_EXPORTER_OTLP_ENDPOINT: envVar(
      z.url().optional(),
      'OpenTelemetry collector base URL (OTLP/HTTP, traces go to `<url>/v1/traces`); unset = tracing off',
    ),
    OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: envVar(z.url().optional(), 'full OTLP/HTTP traces URL, instead of the base URL above'),
    OTEL_SERVICE_NAME: envVar(z.string().min(1).max(200).default('imfacade'), "the traces' `service.name`"),
    OTEL_TRACES_SAMPLER_ARG: envVar(
      ratio.default(1),
      'share of new traces recorded (0 … 1); a request that arrives with a sampled `traceparent` is always recorded',
    ),
  },
  (v) => {
    const tracesUrl =
      v.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
      (v.OTEL_EXPORTER_OTLP_ENDPOINT ? `${v.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces` : undefined);
    return {
      metricsToken: v.METRICS_TOKEN,
      metricsPort: v.METRICS_PORT,
      console: v.CONSOLE_ENABLED,
      /** Recording costs a little per request: only when someone reads the figures. */
      metrics: v.METRICS_TOKEN !== undefined || v.METRICS_PORT !== undefined || v.CONSOLE_ENABLED,
      tracing: tracesUrl ? { url: tracesUrl, serviceName: v.OTEL_SERVICE_NAME, ratio: v.OTEL_TRACES_SAMPLER_ARG } : undefined,
    };
  },
);
