import { aiuHandlers } from '@aiu/testing/msw';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../../test/axe';
import { server } from '../../test/setup';
import { AiuProvider } from '../AiuProvider';
import { ProviderKeyForm, type ProviderKeyFormProps } from '../ProviderKeyForm';
import { useProviderKeys } from '../useProviderKeys';

const GOOD = 'sk-good-key-for-tests-000000WXYZ';
const BAD = 'sk-invalid-key-for-tests-0000000';

function KeyList() {
  const { providers } = useProviderKeys();
  const keys = providers.flatMap((p) => p.keys.map((k) => `${p.id}/${k.alias} …${k.hint} ${k.status}`));
  return (
    <ul aria-label="stored keys">
      {keys.map((k) => (
        <li key={k}>{k}</li>
      ))}
    </ul>
  );
}

function Form(props: Partial<Omit<ProviderKeyFormProps, 'children'>>) {
  return (
    <AiuProvider>
      <ProviderKeyForm provider="openai" {...props}>
        {(api) => (
          <form {...api.getFormProps({ 'aria-label': 'OpenAI key' })}>
            <label {...api.getLabelProps('alias')}>Alias</label>
            <input {...api.getFieldProps('alias')} />
            <p {...api.getErrorProps('alias')} />
            <label {...api.getLabelProps('key')}>API key</label>
            <input {...api.getFieldProps('key')} />
            <button {...api.getToggleVisibilityProps()}>{api.keyVisible ? 'Hide' : 'Show'}</button>
            <p {...api.getErrorProps('key')} />
            <button {...api.getSubmitProps()}>Save key</button>
            <p {...api.getStatusProps()} />
          </form>
        )}
      </ProviderKeyForm>
      <KeyList />
    </AiuProvider>
  );
}

describe('ProviderKeyForm', () => {
  it('has no axe violations, empty and with an error shown', async () => {
    server.use(...aiuHandlers());
    const { container } = render(<Form />);
    expect(await axeViolations(container)).toEqual([]);
    await userEvent.click(screen.getByRole('button', { name: 'Save key' }));
    await waitFor(() => expect(screen.getByLabelText('API key').getAttribute('aria-invalid')).toBe('true'));
    expect(await axeViolations(container)).toEqual([]);
  });

  it('works with the keyboard alone: validate, save, key cleared and list refetched', async () => {
    server.use(...aiuHandlers({ keys: { delayMs: 30 } }));
    const onSaved = vi.fn();
    const { container } = render(<Form onSaved={onSaved} />);
    const user = userEvent.setup();
    await user.tab();
    expect(document.activeElement).toBe(screen.getByLabelText('Alias'));
    await user.keyboard('{Control>}a{/Control}team');
    await user.tab();
    expect(document.activeElement).toBe(screen.getByLabelText('API key'));
    await user.keyboard(GOOD);
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Show key' }));
    await user.keyboard('{Enter}');
    expect(screen.getByLabelText('API key').getAttribute('type')).toBe('text');
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Save key' }));
    await user.keyboard('{Enter}');
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Checking the key with the provider…'));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Key saved.'));
    expect(onSaved).toHaveBeenCalledWith(expect.objectContaining({ provider: 'openai', alias: 'team', hint: 'WXYZ', status: 'valid' }));
    // The typed key is gone: from the input, from the DOM, and hidden again.
    expect((screen.getByLabelText('API key') as HTMLInputElement).value).toBe('');
    expect(container.innerHTML).not.toContain('sk-good-key');
    expect(screen.getByLabelText('API key').getAttribute('type')).toBe('password');
    await waitFor(() => expect(screen.getByRole('list', { name: 'stored keys' }).textContent).toContain('openai/team …WXYZ valid'));
  });

  it('shows and announces a rejected key on the key field, and stores nothing', async () => {
    server.use(...aiuHandlers());
    render(<Form />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('API key'), BAD);
    await user.click(screen.getByRole('button', { name: 'Save key' }));
    const input = screen.getByLabelText('API key');
    await waitFor(() => expect(input.getAttribute('aria-invalid')).toBe('true'));
    const error = document.getElementById(input.getAttribute('aria-describedby') ?? '');
    expect(error?.getAttribute('role')).toBe('alert');
    expect(error?.textContent).toBe('openai rejected the API key.');
    expect(screen.getByRole('list', { name: 'stored keys' }).textContent).toBe('');
  });

  it('checks fields before asking anyone: empty key, alias with / or spaces', async () => {
    const seen: string[] = [];
    server.events.on('request:start', ({ request }) => seen.push(new URL(request.url).pathname));
    server.use(...aiuHandlers());
    render(<Form />);
    const user = userEvent.setup();
    await user.clear(screen.getByLabelText('Alias'));
    await user.type(screen.getByLabelText('Alias'), 'a/b');
    await user.click(screen.getByRole('button', { name: 'Save key' }));
    expect(screen.getByLabelText('Alias').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByLabelText('API key').getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(screen.getByLabelText('Alias').getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/alias must be/);
    expect(document.getElementById(screen.getByLabelText('API key').getAttribute('aria-describedby') ?? '')?.textContent).toBe('key is required');
    expect(seen.filter((path) => path.includes('/keys'))).toEqual([]);
  });

  it('shows a duplicate alias (409) on the alias field', async () => {
    server.use(...aiuHandlers({ keys: { stored: [{ provider: 'openai', alias: 'default', hint: 'AAAA', scopes: ['chat'], status: 'valid', createdAt: '2026-01-01T00:00:00.000Z', lastValidatedAt: null }] } }));
    render(<Form validateBeforeSave={false} />);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('API key'), GOOD);
    await user.click(screen.getByRole('button', { name: 'Save key' }));
    await waitFor(() => expect(screen.getByLabelText('Alias').getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(screen.getByLabelText('Alias').getAttribute('aria-describedby') ?? '')?.textContent).toContain('exists already');
  });

  it('takes the alias controlled: shows the prop, proposes each edit, and saves under the alias the parent holds', async () => {
    server.use(...aiuHandlers());
    const proposed: string[] = [];
    function Controlled() {
      const [alias, setAlias] = useState('work');
      return (
        <Form
          alias={alias}
          onAliasChange={(next) => {
            proposed.push(next);
            // The parent keeps only lower-case aliases: what it holds is what the field shows.
            setAlias(next.toLowerCase());
          }}
        />
      );
    }
    render(<Controlled />);
    const field = screen.getByLabelText('Alias') as HTMLInputElement;
    expect(field.value).toBe('work');
    await userEvent.type(field, 'X');
    expect(proposed).toEqual(['workX']);
    expect(field.value).toBe('workx');
    await userEvent.type(screen.getByLabelText('API key'), GOOD);
    await userEvent.click(screen.getByRole('button', { name: 'Save key' }));
    expect(await screen.findByText(/^openai\/workx …WXYZ/)).toBeTruthy();
    // The key is never part of what the parent sees.
    expect(proposed.some((value) => value.includes(GOOD))).toBe(false);
  });
});
