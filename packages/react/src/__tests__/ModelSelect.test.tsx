import type { ModelInfo } from '@aiu/core';
import { aiuHandlers } from '@aiu/testing/msw';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpResponse, http } from 'msw';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { axeViolations } from '../../test/axe';
import { makeModels, SMALL } from '../../test/models';
import { server } from '../../test/setup';
import { AiuProvider } from '../AiuProvider';
import { ModelSelect, type ModelSelectProps } from '../ModelSelect';
import type { ModelSelectApi } from '../useModelSelect';

function Picker(props: Omit<ModelSelectProps, 'children'>) {
  return (
    <ModelSelect {...props}>
      {(api) => (
        <div>
          <label {...api.getLabelProps()}>Model</label>
          <input {...api.getInputProps()} />
          <button {...api.getToggleButtonProps()}>▾</button>
          <span {...api.getStatusProps()} />
          {api.isLoading ? <p>Loading models…</p> : null}
          {api.error ? <p role="alert">{api.error.message}</p> : null}
          <span data-testid="selected">{api.selectedModel?.id ?? ''}</span>
          <div {...api.getListboxProps()} hidden={!api.isOpen}>
            {api.isOpen
              ? api.groups.map((group) => (
                  <div key={group.provider} {...api.getGroupProps({ provider: group.provider })}>
                    <div {...api.getGroupLabelProps({ provider: group.provider })}>{group.provider}</div>
                    {group.items.map(({ model, index }) => (
                      <div key={model.id} {...api.getOptionProps({ model, index })}>
                        {model.name}
                      </div>
                    ))}
                  </div>
                ))
              : null}
          </div>
        </div>
      )}
    </ModelSelect>
  );
}

const input = () => screen.getByRole('combobox', { name: 'Model' });
const options = () => screen.queryAllByRole('option');
const highlighted = () => options().find((option) => option.hasAttribute('data-highlighted'))?.textContent;

describe('ModelSelect', () => {
  it('has no axe violations closed and open', async () => {
    const { container } = render(<Picker models={SMALL} />);
    expect(await axeViolations(container)).toEqual([]);
    await userEvent.click(input());
    expect(options().length).toBe(SMALL.length);
    expect(await axeViolations(container)).toEqual([]);
  });

  it('wires the combobox ARIA: expanded, controls, activedescendant', async () => {
    render(<Picker models={SMALL} />);
    expect(input().getAttribute('aria-expanded')).toBe('false');
    await userEvent.type(input(), '{ArrowDown}');
    expect(input().getAttribute('aria-expanded')).toBe('true');
    const listbox = screen.getByRole('listbox');
    expect(input().getAttribute('aria-controls')).toBe(listbox.id);
    const active = document.getElementById(input().getAttribute('aria-activedescendant') ?? '');
    expect(active?.getAttribute('role')).toBe('option');
    expect(active?.hasAttribute('data-highlighted')).toBe(true);
  });

  it('moves with ArrowDown/ArrowUp, Home/End and PageDown/PageUp', async () => {
    const models = makeModels(40);
    render(<Picker models={models} />);
    const user = userEvent.setup();
    await user.click(input());
    // Grouped by provider: keyboard order is the flat filtered order.
    await user.keyboard('{ArrowDown}');
    const first = highlighted();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    const third = highlighted();
    expect(third).not.toBe(first);
    await user.keyboard('{ArrowUp}');
    await user.keyboard('{ArrowUp}');
    expect(highlighted()).toBe(first);
    // The active option is the n-th of the flat filtered list (here: the model list's order).
    const active = () => document.getElementById(input().getAttribute('aria-activedescendant') ?? '')?.textContent;
    await user.keyboard('{End}');
    expect(active()).toBe(models[39]?.name);
    await user.keyboard('{Home}');
    expect(active()).toBe(models[0]?.name);
    await user.keyboard('{PageDown}');
    expect(active()).toBe(models[10]?.name);
    await user.keyboard('{PageDown}{PageDown}{PageDown}{PageDown}');
    expect(active()).toBe(models[39]?.name);
    await user.keyboard('{PageUp}');
    expect(active()).toBe(models[29]?.name);
  });

  it('selects with Enter, closes, and shows the choice; Escape closes, then clears the query', async () => {
    const onValueChange = vi.fn();
    render(<Picker models={SMALL} onValueChange={onValueChange} />);
    const user = userEvent.setup();
    await user.click(input());
    await user.keyboard('sonnet');
    expect(options().map((o) => o.textContent)).toEqual(['Claude Sonnet 4.5']);
    expect(highlighted()).toBe('Claude Sonnet 4.5');
    await user.keyboard('{Enter}');
    expect(onValueChange).toHaveBeenCalledWith('anthropic:claude-sonnet-4-5', SMALL[3]);
    expect(input().getAttribute('aria-expanded')).toBe('false');
    expect((input() as HTMLInputElement).value).toBe('Claude Sonnet 4.5');
    expect(screen.getByTestId('selected').textContent).toBe('anthropic:claude-sonnet-4-5');

    await user.clear(input());
    await user.keyboard('gpt');
    expect(input().getAttribute('aria-expanded')).toBe('true');
    await user.keyboard('{Escape}');
    expect(input().getAttribute('aria-expanded')).toBe('false');
    expect((input() as HTMLInputElement).value).toBe('gpt');
    await user.keyboard('{Escape}');
    expect((input() as HTMLInputElement).value).toBe('Claude Sonnet 4.5');
  });

  it('highlights the first match when the list arrives after the user typed, so Enter selects it', async () => {
    const onValueChange = vi.fn();
    const { rerender } = render(<Picker models={[]} onValueChange={onValueChange} />);
    const user = userEvent.setup();
    await user.click(input());
    await user.keyboard('sonnet');
    expect(options()).toHaveLength(0);
    // The model list lands (a slow /models) while the query is already typed.
    rerender(<Picker models={SMALL} onValueChange={onValueChange} />);
    expect(highlighted()).toBe('Claude Sonnet 4.5');
    await user.keyboard('{Enter}');
    expect(onValueChange).toHaveBeenCalledWith('anthropic:claude-sonnet-4-5', SMALL[3]);
    expect((input() as HTMLInputElement).value).toBe('Claude Sonnet 4.5');
  });

  it('filters as you type (typeahead) over id and name, every word must match', async () => {
    render(<Picker models={SMALL} />);
    const user = userEvent.setup();
    await user.click(input());
    await user.keyboard('openai nano');
    expect(options().map((o) => o.textContent)).toEqual(['GPT-4.1 nano']);
    await user.clear(input());
    await user.keyboard('CLAUDE');
    expect(options().map((o) => o.textContent)).toEqual(['Claude Sonnet 4.5', 'Claude 3 Haiku']);
    expect(highlighted()).toBe('Claude Sonnet 4.5');
    await user.clear(input());
    await user.keyboard('zzz');
    expect(options()).toHaveLength(0);
    expect(screen.getByRole('status').textContent).toBe('0 models');
  });

  it('selects on click without losing input focus', async () => {
    render(<Picker models={SMALL} />);
    const user = userEvent.setup();
    await user.click(input());
    await user.click(screen.getByRole('option', { name: 'llama3.2' }));
    expect(screen.getByTestId('selected').textContent).toBe('ollama:llama3.2');
    expect(document.activeElement).toBe(input());
  });

  it('combines kinds, providers, minContext, excludeDeprecated, capabilities and a custom filter', async () => {
    render(
      <Picker
        models={SMALL}
        kinds={['chat']}
        providers={['openai', 'anthropic']}
        minContext={100_000}
        excludeDeprecated
        capabilities={['tools']}
        filter={(model) => model.pricing !== null && model.pricing.input < 1}
      />,
    );
    await userEvent.click(input());
    expect(options().map((o) => o.textContent)).toEqual(['GPT-4o mini', 'GPT-4.1 nano']);
  });

  it('groups options by provider', async () => {
    render(<Picker models={SMALL} />);
    await userEvent.click(input());
    const groups = screen.getAllByRole('group');
    expect(groups.map((g) => g.getAttribute('aria-labelledby') && document.getElementById(g.getAttribute('aria-labelledby') ?? '')?.textContent)).toEqual([
      'openai',
      'anthropic',
      'ollama',
    ]);
  });

  it('is controlled by value/onValueChange', async () => {
    function Controlled() {
      const [value, setValue] = useState<string | null>('openai:gpt-4o-mini');
      return (
        <>
          <Picker models={SMALL} value={value} onValueChange={(id) => setValue(id === 'ollama:llama3.2' ? value : id)} />
          <button type="button" onClick={() => setValue('anthropic:claude-3-haiku')}>
            set haiku
          </button>
        </>
      );
    }
    render(<Controlled />);
    const user = userEvent.setup();
    expect((input() as HTMLInputElement).value).toBe('GPT-4o mini');
    await user.click(screen.getByRole('button', { name: 'set haiku' }));
    expect((input() as HTMLInputElement).value).toBe('Claude 3 Haiku');
    // The parent refuses llama3.2: the selection stays what the parent says.
    await user.click(input());
    await user.click(screen.getByRole('option', { name: 'llama3.2' }));
    expect(screen.getByTestId('selected').textContent).toBe('anthropic:claude-3-haiku');
    await user.click(input());
    await user.click(screen.getByRole('option', { name: 'GPT-4.1 nano' }));
    expect(screen.getByTestId('selected').textContent).toBe('openai:gpt-4.1-nano');
  });

  it('lets a stateReducer change behaviour (stay open after choosing)', async () => {
    render(
      <Picker
        models={SMALL}
        stateReducer={(_state, action) =>
          action.type === ModelSelect.stateChangeTypes.OptionClick ? { ...action.changes, isOpen: true } : action.changes
        }
      />,
    );
    const user = userEvent.setup();
    await user.click(input());
    await user.click(screen.getByRole('option', { name: 'GPT-4o mini' }));
    expect(screen.getByTestId('selected').textContent).toBe('openai:gpt-4o-mini');
    expect(input().getAttribute('aria-expanded')).toBe('true');
  });

  it('renders and filters a 1,000-model list correctly', async () => {
    const models = makeModels(1000);
    render(<Picker models={models} />);
    const user = userEvent.setup();
    await user.click(input());
    expect(options()).toHaveLength(1000);
    await user.keyboard('model-09');
    const expected = models.filter((m) => m.id.includes('model-09'));
    expect(options().map((o) => o.textContent).sort()).toEqual(expected.map((m) => m.name).sort());
    expect(screen.getByRole('status').textContent).toBe(`${expected.length} models`);
    await user.keyboard('{End}{Enter}');
    const chosen = screen.getByTestId('selected').textContent;
    expect(expected.map((m) => m.id)).toContain(chosen);
  });

  it('reports a /models answer that does not match the wire schema as invalid_response', async () => {
    const broken = SMALL.map((model, index) => (index === 0 ? { ...model, kind: 'image' } : model));
    server.use(http.get('*/api/aiu/models', () => HttpResponse.json({ models: broken })));
    let seen: ModelSelectApi['error'] = null;
    render(
      <AiuProvider>
        <ModelSelect>{(api) => ((seen = api.error), <span>{api.error?.code ?? (api.isLoading ? 'loading' : 'ok')}</span>)}</ModelSelect>
      </AiuProvider>,
    );
    await waitFor(() => expect(screen.getByText('invalid_response')).toBeTruthy());
    expect((seen as { retryable?: boolean } | null)?.retryable).toBe(false);
  });

  it('fetches /models through AiuProvider when no list is given', async () => {
    server.use(...aiuHandlers({ models: SMALL as ModelInfo[] }));
    render(
      <AiuProvider>
        <Picker kinds={['embed']} />
      </AiuProvider>,
    );
    expect(screen.getByText('Loading models…')).toBeTruthy();
    await waitFor(() => expect(screen.queryByText('Loading models…')).toBeNull());
    await act(async () => userEvent.click(input()));
    expect(options().map((o) => o.textContent)).toEqual(['text-embedding-3-small']);
  });
});
