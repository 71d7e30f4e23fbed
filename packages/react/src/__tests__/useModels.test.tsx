import { render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { realAiuServer } from '../../test/aiuServer';
import { AiuProvider } from '../AiuProvider';
import { useModels } from '../useModels';

// The hook against aiu's real /models over a socket.
const aiu = realAiuServer({ providers: {} });

function Freshness() {
  const { priceData } = useModels();
  return <p aria-label="prices">{priceData ? `${priceData.source} ${priceData.version} of ${priceData.releasedAt}` : 'unknown'}</p>;
}

describe('useModels', () => {
  it('says which price data release the server prices with', async () => {
    render(
      <AiuProvider baseUrl={aiu.base()}>
        <Freshness />
      </AiuProvider>,
    );
    await waitFor(() => expect(screen.getByLabelText('prices').textContent).toMatch(/^@pydantic\/genai-prices \d+\.\d+\.\d+ of \d{4}-\d{2}-\d{2}$/));
  });
});
