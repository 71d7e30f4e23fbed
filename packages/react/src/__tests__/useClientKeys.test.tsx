import { act, render, screen, waitFor } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { realAiuServer } from '../../test/aiuServer';
import { AiuProvider } from '../AiuProvider';
import { useClientKeys } from '../useClientKeys';

// The hook against aiu's real /client-keys routes over a socket (loopback: the routes' default guard).
const aiu = realAiuServer({ providers: { openai: { apiKey: 'sk-test-unused-0000000000' } } });

let api: ReturnType<typeof useClientKeys> | undefined;
function Keys() {
  const keys = useClientKeys();
  api = keys;
  const [secret, setSecret] = useState('');
  return (
    <div>
      <button onClick={() => void keys.create({ name: 'ci bot', models: ['openai:*'], budget: { dailyUsd: 2 } }).then((created) => setSecret(created.key))}>create</button>
      <output aria-label="secret">{secret}</output>
      <ul aria-label="client keys">
        {keys.keys.map((key) => (
          <li key={key.id}>{`${key.name} …${key.hint} ${key.revokedAt ? 'revoked' : 'active'} $${key.spendUsd}`}</li>
        ))}
      </ul>
    </div>
  );
}

describe('useClientKeys', () => {
  it('lists, creates (the secret handed over once) and revokes, refetching after each', async () => {
    render(
      <AiuProvider baseUrl={aiu.base()}>
        <Keys />
      </AiuProvider>,
    );
    await waitFor(() => expect(api?.isLoading).toBe(false));
    expect(screen.getByRole('list', { name: 'client keys' }).children).toHaveLength(0);

    act(() => screen.getByRole('button', { name: 'create' }).click());
    await waitFor(() => expect(screen.getByLabelText('secret').textContent).toMatch(/^aiu_[A-Za-z0-9_-]{43}$/));
    const secret = screen.getByLabelText('secret').textContent ?? '';
    await waitFor(() => expect(screen.getByRole('listitem').textContent).toBe(`ci bot …${secret.slice(-4)} active $0`));
    // The list never carries the secret.
    expect(JSON.stringify(api?.keys)).not.toContain(secret.slice(4));

    // The secret works as a client key until it is revoked.
    const models = () => fetch(`${aiu.base()}/v1/models`, { headers: { authorization: `Bearer ${secret}` } });
    expect((await models()).status).toBe(200);
    const id = api?.keys[0]?.id ?? '';
    const revoked = await act(() => api?.revoke(id));
    expect(revoked?.revokedAt).not.toBeNull();
    await waitFor(() => expect(screen.getByRole('listitem').textContent).toContain('revoked'));
    expect((await models()).status).toBe(401);
  });

  it('surfaces a refusal as a typed error', async () => {
    render(
      <AiuProvider baseUrl={aiu.base()}>
        <Keys />
      </AiuProvider>,
    );
    await waitFor(() => expect(api?.isLoading).toBe(false));
    await expect(api?.create({ name: 'bad', models: ['nosuch:model'] })).rejects.toMatchObject({ status: 400, code: 'invalid_request', message: expect.stringContaining('nosuch') });
    await expect(api?.revoke('ck_missing')).rejects.toMatchObject({ status: 404, code: 'not_found' });
  });
});
