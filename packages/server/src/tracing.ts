/**
 * The smallest OpenTelemetry-shaped tracer aiu needs; pass `trace.getTracer('aiu')`
 * from @opentelemetry/api (or anything with the same shape). No hard dependency.
 */
export interface Span {
  setAttribute(key: string, value: string | number | boolean): unknown;
  addEvent(name: string, attributes?: Record<string, string | number | boolean>): unknown;
  recordException(exception: Error | string): unknown;
  /** 1 = OK, 2 = ERROR, as in OpenTelemetry's SpanStatusCode. */
  setStatus(status: { code: 0 | 1 | 2; message?: string }): unknown;
  end(): void;
}

export interface Tracer {
  startSpan(name: string, options?: { attributes?: Record<string, string | number | boolean> }): Span;
}
