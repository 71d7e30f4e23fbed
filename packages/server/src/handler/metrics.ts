import { NotFoundError } from '@aiu/core';
import { TextResponse } from '../http/responses';
import type { Metrics } from '../metrics/metrics';
import { requireGuardedAccess } from './access';
import type { RouteContext } from './context';

/**
 * `GET /metrics`, Prometheus's text format. Guarded like the log routes (the series name every
 * model and show spend), and never for a client key: the page covers every caller, not one key.
 */
export function metricsRoute(metrics: Metrics | null) {
  return async (request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> => {
    if (!metrics) throw new NotFoundError('Metrics are off: createAiu({ metrics: true }) turns GET /metrics on.');
    await requireGuardedAccess(request, ctx, 'metrics:read', {}, {
      routes: 'The metrics route',
      productionReason: 'it shows spend and traffic by model',
      refuseClientKeys: true,
    });
    const { text, contentType } = await metrics.page();
    return new TextResponse(200, { 'content-type': contentType, 'cache-control': 'no-store' }, text);
  };
}
