import type * as Http from 'node:http';
import type * as Https from 'node:https';

type NodeHttp = { http: typeof Http; https: typeof Https; agents: { http: Http.Agent; https: Https.Agent } };

/** Reached without an import statement, so edge runtimes never see `node:http`. */
let node: NodeHttp | null | undefined;

function nodeHttp(): NodeHttp | null {
  if (node !== undefined) return node;
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof getBuiltin !== 'function') return (node = null);
  const http = getBuiltin('node:http') as typeof Http;
  const https = getBuiltin('node:https') as typeof Https;
  node = {
    http,
    https,
    agents: {
      http: new http.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' }),
      https: new https.Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' }),
    },
  };
  return node;
}

/** Node-style network errors carry their code where `fetch` would put it: on `cause`. */
function networkError(error: Error & { code?: string }): TypeError {
  return Object.assign(new TypeError('fetch failed'), { cause: error });
}

/**
 * `fetch` for upstream calls. On Node it goes through `node:http(s)` with keep-alive
 * agents — about a millisecond of CPU cheaper per call than Node 20's fetch — and hands
 * back a standard `Response` streaming the body with backpressure. Elsewhere: `fetch`.
 */
export function upstreamFetch(url: string, init: { method: string; headers: Record<string, string>; body: string | null; signal: AbortSignal }): Promise<Response> {
  const transport = nodeHttp();
  if (!transport) return fetch(url, init);
  return new Promise((resolve, reject) => {
    if (init.signal.aborted) return reject(init.signal.reason);
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    const headers: Record<string, string | number> = { accept: '*/*', ...init.headers };
    if (init.body !== null) headers['content-length'] = Buffer.byteLength(init.body);
    const request = (secure ? transport.https : transport.http).request(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: init.method,
        headers,
        agent: secure ? transport.agents.https : transport.agents.http,
      },
      (incoming) => {
        const responseHeaders = new Headers();
        for (let i = 0; i < incoming.rawHeaders.length; i += 2) responseHeaders.append(incoming.rawHeaders[i] as string, incoming.rawHeaders[i + 1] as string);
        let closed = false;
        const body = new ReadableStream<Uint8Array>(
          {
            start(controller) {
              incoming.on('data', (chunk: Buffer) => {
                controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
                if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
              });
              incoming.once('end', () => {
                closed = true;
                controller.close();
              });
              incoming.once('error', (error) => {
                if (!closed) controller.error(init.signal.aborted ? init.signal.reason : networkError(error));
                closed = true;
              });
              incoming.once('aborted', () => {
                if (!closed) controller.error(init.signal.aborted ? init.signal.reason : networkError(Object.assign(new Error('terminated'), { code: 'ECONNRESET' })));
                closed = true;
              });
            },
            pull() {
              incoming.resume();
            },
            cancel() {
              closed = true;
              request.destroy();
            },
          },
          { highWaterMark: 16 },
        );
        const status = incoming.statusCode ?? 502;
        // A body is not allowed with these statuses in the Response constructor.
        resolve(new Response(status === 204 || status === 304 ? null : body, { status, headers: responseHeaders }));
      },
    );
    const onAbort = () => request.destroy(init.signal.reason instanceof Error ? init.signal.reason : new Error('aborted'));
    init.signal.addEventListener('abort', onAbort, { once: true });
    request.once('close', () => init.signal.removeEventListener('abort', onAbort));
    request.once('error', (error: Error & { code?: string }) => reject(init.signal.aborted ? init.signal.reason : networkError(error)));
    request.end(init.body ?? undefined);
  });
}
