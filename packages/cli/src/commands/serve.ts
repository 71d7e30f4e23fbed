import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Aiu } from '@aiu/server';
import { handleNodeRequest } from '@aiu/server/node';
import type { Command } from 'commander';
import { openAiu } from '../connection';
import type { Context } from '../context';
import { CliError, usageError } from '../errors';
import { Dashboard } from '../serve/dashboard';
import type { Run } from '../run';
import { describeStore } from '../settings';
import { version } from '../version';

/** The dashboard's pages call aiu here; every route also answers at the root, where OpenAI's clients expect `/v1`. */
const DASHBOARD_API = '/api/aiu';
const DASHBOARD_SETTINGS = '/api/dashboard';

interface ServeFlags {
  port: string;
  host: string;
  dashboard: boolean;
  drainTimeout: string;
}

export function serveCommand(program: Command, run: Run): void {
  program
    .command('serve')
    .description('Run aiu standalone: every route, the OpenAI/Anthropic/AI SDK endpoints, /metrics and the dashboard on one port.')
    .option('-p, --port <port>', 'port (0 picks a free one)', '4141')
    .option('--host <host>', 'interface to listen on (0.0.0.0 for every one)', '127.0.0.1')
    .option('--no-dashboard', 'serve the API only')
    .option('--drain-timeout <seconds>', 'on SIGTERM/SIGINT, how long calls in flight may finish', '30')
    .addHelpText('after', `
Examples:
  $ aiu serve
  $ aiu serve --port 8080 --host 0.0.0.0     # then add authorize in aiu.config.mjs
  $ OPENAI_BASE_URL=http://localhost:9000/v1 aiu serve
Point any OpenAI client at http://127.0.0.1:4141/v1 with a client key (aiu client-keys create).`)
    .action(run(async (ctx, flags: ServeFlags) => serve(ctx, flags)));
}

async function serve(ctx: Context, flags: ServeFlags): Promise<void> {
  const port = Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw usageError(`--port must be 0–65535, not "${flags.port}".`);
  const drainSeconds = Number(flags.drainTimeout);
  if (!Number.isFinite(drainSeconds) || drainSeconds < 0) throw usageError('--drain-timeout must be seconds, 0 or more.');

  const { settings, out } = ctx;
  const metrics = settings.config.metrics ?? true;
  const aiu = await openAiu(settings, { metrics, logger: settings.config.logger ?? { warn: ctx.warn } });

  const dashboard = new Dashboard(join(dirname(fileURLToPath(import.meta.url)), 'dashboard'));
  const loopbackOnly = isLoopbackHost(flags.host);
  const server = createServer((req, res) => {
    // Bound to loopback, only loopback names are answered: a web page cannot reach this server through DNS rebinding.
    if (loopbackOnly && !isLoopbackHostHeader(req.headers.host)) {
      res.writeHead(421, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'misdirected_request', message: 'This aiu answers only requests for localhost.' } }));
      return;
    }
    const path = pathOf(req);
    if (path === DASHBOARD_API || path.startsWith(`${DASHBOARD_API}/`)) return void handleNodeRequest(aiu, req, res, { path: path.slice(DASHBOARD_API.length) || '/' });
    if (flags.dashboard && (req.method === 'GET' || req.method === 'HEAD') && dashboard.serves(path)) return dashboard.serve(path, req, res);
    // What the dashboard's pages ask their server about itself (the example app answers it too): real replies here.
    if (flags.dashboard && req.method === 'GET' && path === DASHBOARD_SETTINGS) return dashboard.settings(res, { demo: false });
    void handleNodeRequest(aiu, req, res, { path });
  });
  server.keepAliveTimeout = 65_000;
  // Signals are handled from the start: one that comes while the banner prints still drains and exits 0.
  const stopped = new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        out.note('stopping now');
        process.exit(1);
      }
      stopping = true;
      if (!out.json) out.note(`${signal}: finishing calls in flight and writing the log…`);
      server.close();
      server.closeIdleConnections();
      aiu
        .close({ timeoutMs: drainSeconds * 1000 })
        .catch((error: unknown) => out.note(out.errColor.red(`could not write every log entry: ${(error as Error).message}`)))
        .finally(() => {
          server.closeAllConnections();
          if (out.json) out.data({ event: 'stopped' });
          else out.note('stopped');
          resolve();
        });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await listen(server, port, flags.host);

  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host === '0.0.0.0' || host === '[::]' ? 'localhost' : host}:${address.port}`;
  const providers = await configuredProviders(aiu);
  const store = describeStore(settings.databaseUrl);
  if (out.json) {
    out.data({ event: 'listening', url, store, providers, dashboard: flags.dashboard && dashboard.built, metrics: metrics !== false });
  } else {
    const { color } = out;
    out.line(`${color.green('aiu')} ${version()} serving on ${color.bold(url)}`);
    if (flags.dashboard) out.line(`  dashboard   ${url}/${dashboard.built ? '' : color.yellow('  (not built into this copy)')}`);
    out.line(`  OpenAI      ${url}/v1    Anthropic ${url}/v1/messages    AI SDK ${url}/ui/chat`);
    out.line(`  aiu routes  ${url}/chat, /models, /logs, /usage … (also under ${DASHBOARD_API})`);
    if (metrics !== false) out.line(`  metrics     ${url}/metrics`);
    out.line(`  store       ${store}`);
    out.line(`  providers   ${providers.length ? providers.join(', ') : color.yellow('none with a key yet: aiu keys add openai (or set OPENAI_API_KEY)')}`);
    if (!loopbackOnly && !settings.config.authorize) out.note(color.yellow('Listening beyond loopback: key, log and metrics routes answer only local requests until aiu.config.mjs sets authorize.'));
    out.note(color.dim('Ctrl-C stops (calls in flight finish, the log is written).'));
  }

  await stopped;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new CliError('address_in_use', `Port ${port} on ${host} is taken.`, { hint: 'pick another with --port (0 picks a free one)' }));
      else if (error.code === 'EACCES') reject(new CliError('permission_denied', `Not allowed to listen on ${host}:${port}.`, { hint: 'ports below 1024 need privileges; pick another with --port' }));
      else reject(new CliError('listen_failed', `Could not listen on ${host}:${port}: ${error.message}`));
    });
    server.listen(port, host, () => resolve());
  });
}

/** The raw path, query aside; the handler itself rejects malformed targets. */
function pathOf(req: IncomingMessage): string {
  const target = req.url ?? '/';
  const end = target.indexOf('?');
  return end === -1 ? target : target.slice(0, end);
}

const isLoopbackHost = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

function isLoopbackHostHeader(header: string | undefined): boolean {
  if (!header) return false;
  const name = header.startsWith('[') ? header.slice(0, header.indexOf(']') + 1) : header.replace(/:\d*$/, '');
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) || name.endsWith('.localhost');
}

/** Providers a call could get a key for: stored ones count (`/providers`); where that route is guarded, code and environment keys (`/health`). */
async function configuredProviders(aiu: Aiu): Promise<string[]> {
  const local = { clientAddress: '127.0.0.1' };
  const listed = await aiu.handleRoute(new Request('http://aiu.local/providers'), '/providers', local);
  if (listed.ok) {
    const body = (await listed.json()) as { providers: Array<{ id: string; configured: boolean; requiresKey: boolean }> };
    return body.providers.filter((provider) => provider.configured && provider.requiresKey).map((provider) => provider.id);
  }
  const health = await aiu.handleRoute(new Request('http://aiu.local/health'), '/health', local);
  const body = (await health.json().catch(() => ({}))) as { providers?: Record<string, { configured?: boolean }> };
  return Object.entries(body.providers ?? {})
    .filter(([, provider]) => provider.configured)
    .map(([id]) => id);
}
