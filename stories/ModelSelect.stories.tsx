import { ModelSelect, type ModelSelectProps } from '@aiu/react';
import { aiuHandlers } from '@aiu/testing/msw';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, userEvent, within } from 'storybook/test';
import { MODELS } from './data';

function Picker(props: Omit<ModelSelectProps, 'children'>) {
  return (
    <ModelSelect {...props}>
      {(api) => (
        <div className="model-select">
          <label {...api.getLabelProps()}>Model</label>
          <div className="combo">
            <input {...api.getInputProps({ placeholder: 'Search models…' })} />
            <button {...api.getToggleButtonProps()}>▾</button>
          </div>
          <span className="visually-hidden" {...api.getStatusProps()} />
          {api.isLoading ? <p className="muted">Loading models…</p> : null}
          {api.error ? <p className="error">{api.error.message}</p> : null}
          {!api.isLoading && !api.error && api.models.length === 0 ? <p className="muted">No models available.</p> : null}
          <div className="listbox" {...api.getListboxProps()} hidden={!api.isOpen}>
            {api.isOpen
              ? api.groups.map((group) => (
                  <div key={group.provider} {...api.getGroupProps({ provider: group.provider })}>
                    <div className="group-label" {...api.getGroupLabelProps({ provider: group.provider })}>
                      {group.provider}
                    </div>
                    {group.items.map(({ model, index }) => (
                      <div key={model.id} className="option" {...api.getOptionProps({ model, index })}>
                        <span>{model.name}</span>
                        <small>{model.pricing ? `$${model.pricing.input} / $${model.pricing.output}` : 'price unknown'}</small>
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

const meta: Meta<typeof Picker> = {
  title: 'Components/ModelSelect',
  component: Picker,
  parameters: { msw: { handlers: aiuHandlers({ models: MODELS }) } },
};
export default meta;
type Story = StoryObj<typeof Picker>;

export const Default: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    const input = await canvas.findByRole('combobox', { name: 'Model' });
    await userEvent.click(input);
    await userEvent.keyboard('sonnet');
    await expect(canvas.getAllByRole('option').map((o) => o.textContent)).toEqual(['Claude Sonnet 4.5$3 / $15']);
    await userEvent.keyboard('{Enter}');
    await expect(input).toHaveValue('Claude Sonnet 4.5');
  },
};

function ControlledPicker() {
  const [value, setValue] = useState<string | null>('openai:gpt-4o-mini');
  return (
    <div>
      <Picker models={MODELS} value={value} onValueChange={setValue} />
      <p className="muted">Selected: {value ?? 'none'}</p>
      <button type="button" onClick={() => setValue('google:gemini-2.5-flash')}>
        Pick Gemini
      </button>
    </div>
  );
}

export const Controlled: Story = {
  render: () => <ControlledPicker />,
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Pick Gemini' }));
    await expect(canvas.getByRole('combobox', { name: 'Model' })).toHaveValue('Gemini 2.5 Flash');
  },
};

export const Filtered: Story = { args: { models: MODELS, kinds: ['chat'], excludeDeprecated: true, capabilities: ['reasoning'], defaultOpen: true } };

export const Loading: Story = { parameters: { msw: { handlers: aiuHandlers({ models: MODELS, readDelayMs: 600_000 }) } } };

export const Empty: Story = { args: { models: [] } };

export const ErrorState: Story = {
  name: 'Error',
  parameters: { msw: { handlers: aiuHandlers({ readError: { status: 503, code: 'upstream_unreachable', message: 'Could not reach the model list.' } }) } },
};

export const AllStates: Story = {
  render: () => (
    <div className="states">
      <section aria-label="Closed">
        <h3>Closed, with a selection</h3>
        <Picker models={MODELS} defaultValue="openai:gpt-4.1-nano" id="closed" />
      </section>
      <section aria-label="Open">
        <h3>Open</h3>
        <Picker models={MODELS} defaultOpen id="open" />
      </section>
    </div>
  ),
};
