// The example's Express app: aiu mounted at /api/aiu, the React page served beside it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createAiu } from '@aiu/server';
import { toExpress } from '@aiu/server/express';
import { exampleTools } from './tools.js';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * @param {object} [options]
 * @param {import('@aiu/server').AiuOptions} [options.aiu] createAiu options (default: SQLite at .aiu/aiu.db)
 * @param {'dev' | 'dist' | 'none'} [options.client] how to serve the page: Vite dev middleware, the built files, or not at all
 * @param {boolean} [options.demo] replies are recorded ones: the page says so in a banner
 */
export async function createApp({ aiu: aiuOptions = {}, client = 'dist', demo = false } = {}) {
  const aiu = createAiu({ tools: exampleTools, ...aiuOptions });
  const app = express();
  app.disable('x-powered-by');
  // aiu first: it reads its own bodies, so every error it answers is its JSON (never Express's HTML page).
  app.use('/api/aiu', toExpress(aiu));
  app.use(express.json({ limit: '1mb' }));
  // What the page needs to know about this server: whether replies are recorded ones.
  app.get('/api/dashboard', (_req, res) => res.json({ demo }));

  let vite;
  if (client === 'dev') {
    const { createServer } = await import('vite');
    vite = await createServer({ root: here, server: { middlewareMode: true }, appType: 'spa' });
    app.use(vite.middlewares);
  } else if (client === 'dist') {
    const dist = join(here, 'dist');
    if (!existsSync(join(dist, 'index.html'))) {
      throw new Error('The page is not built yet: run `pnpm --filter @aiu/example-express-vite start` (it builds first).');
    }
    app.use(express.static(dist));
    app.get('/{*splat}', (_req, res) => res.sendFile(join(dist, 'index.html')));
  }

  return {
    app,
    aiu,
    async close() {
      await vite?.close();
      await aiu.close();
    },
  };
}
