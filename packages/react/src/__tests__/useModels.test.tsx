import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAiu, memoryStore, type Aiu } from '@aiu/server';
import { toNodeListener } from '@aiu/server/node';
import { render, screen, waitFor } from '@testing-library/react';
import { http, passthrough } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { server as msw } from '../../test/setup';
import { AiuProvider } from '../AiuProvider';
import { useModels } from '../useModels';

// The hook against aiu's real /models over a socket.
let aiu: Aiu;
let server: Server;
let base: string;

beforeAll(async () => {
  aiu = createAiu({ store: memoryStore(), env: {}, logger: { warn() {} }, providers: {} });
  server = createServer(toNodeListener(aiu));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/aiu`;
});
beforeEach(() => msw.use(http.all(`${base}/*`, () => passthrough())));
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await aiu.close();
});

function Freshness() {
  const { priceData } = useModels();
  return <p aria-label="prices">{priceData ? `${priceData.source} ${priceData.version} of ${priceData.releasedAt}` : 'unknown'}</p>;
}

describe('useModels', () => {
  it('says which price data release the server prices with', async () => {
    render(
      <AiuProvider baseUrl={base}>
        <Freshness />
      </AiuProvider>,
    );
    await waitFor(() => expect(screen.getByLabelText('prices').textContent).toMatch(/^@pydantic\/genai-prices \d+\.\d+\.\d+ of \d{4}-\d{2}-\d{2}$/));
  });
});
