// The example's Express app: aiu mounted at /api/aiu, the React page served beside it.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createAiu } from '@aiu/server';
import { toExpress } from '@aiu/server/express';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * @param {object} [options]
 * @param {import('@aiu/server').AiuOptions} [options.aiu] createAiu options (default: SQLite at .aiu/aiu.db)
 * @param {'dev' | 'dist' | 'none'} [options.client] how to serve the page: Vite dev middleware, the built files, or not at all
 */
export async function createApp({ aiu: aiuOptions = {}, client = 'dist' } = {}) {
  const aiu = createAiu(aiuOptions);
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  app.use('/api/aiu', toExpress(aiu));

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
