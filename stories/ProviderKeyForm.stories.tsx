import { ProviderKeyForm, type ProviderKeyFormProps, useProviderKeys } from '@aiu/react';
import { aiuHandlers } from '@aiu/testing/msw';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { expect, userEvent, waitFor, within } from 'storybook/test';

function KeyList() {
  const { providers } = useProviderKeys();
  const keys = providers.flatMap((p) => p.keys.map((k) => ({ ...k, provider: p.id })));
  return (
    <ul aria-label="Stored keys">
      {keys.map((k) => (
        <li key={`${k.provider}/${k.alias}`}>
          {k.provider}/{k.alias} …{k.hint} ({k.status})
        </li>
      ))}
    </ul>
  );
}

function Form(props: Omit<ProviderKeyFormProps, 'children'>) {
  return (
    <div>
      <ProviderKeyForm {...props}>
        {(form) => (
          <form className="key-form" {...form.getFormProps({ 'aria-label': `Add a ${props.provider} key` })}>
            <label {...form.getLabelProps('alias')}>Alias</label>
            <input {...form.getFieldProps('alias')} />
            <p className="error" {...form.getErrorProps('alias')} />
            <label {...form.getLabelProps('key')}>API key</label>
            <div className="combo">
              <input {...form.getFieldProps('key', { placeholder: 'sk-…' })} />
              <button {...form.getToggleVisibilityProps()}>{form.keyVisible ? 'Hide' : 'Show'}</button>
            </div>
            <p className="error" {...form.getErrorProps('key')} />
            <button {...form.getSubmitProps()}>{form.status === 'validating' ? 'Checking…' : form.status === 'saving' ? 'Saving…' : 'Save key'}</button>
            <p className="muted" {...form.getStatusProps()} />
          </form>
        )}
      </ProviderKeyForm>
      <KeyList />
    </div>
  );
}

const meta: Meta<typeof Form> = {
  title: 'Components/ProviderKeyForm',
  component: Form,
  args: { provider: 'openai' },
  parameters: { msw: { handlers: aiuHandlers() } },
};
export default meta;
type Story = StoryObj<typeof Form>;

export const Default: Story = {};

export const Saved: Story = {
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('API key'), 'sk-storybook-demo-key-0000WXYZ');
    await userEvent.click(canvas.getByRole('button', { name: 'Save key' }));
    await waitFor(() => expect(canvas.getByRole('status')).toHaveTextContent('Key saved.'));
    await expect(canvas.getByLabelText('API key')).toHaveValue('');
    await waitFor(() => expect(canvas.getByRole('list', { name: 'Stored keys' })).toHaveTextContent('openai/default …WXYZ (valid)'));
  },
};

export const Validating: Story = {
  parameters: { msw: { handlers: aiuHandlers({ keys: { delayMs: 600_000 } }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('API key'), 'sk-storybook-demo-key-0000WXYZ');
    await userEvent.click(canvas.getByRole('button', { name: 'Save key' }));
    await waitFor(() => expect(canvas.getByRole('button', { name: 'Checking…' })).toBeDisabled());
  },
};

export const ErrorState: Story = {
  name: 'Error',
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.type(canvas.getByLabelText('API key'), 'sk-invalid-storybook-key-0000000');
    await userEvent.click(canvas.getByRole('button', { name: 'Save key' }));
    const input = canvas.getByLabelText('API key');
    await waitFor(() => expect(input).toHaveAttribute('aria-invalid', 'true'));
    // The field's own error, wired through aria-describedby, says why.
    await expect(canvasElement.ownerDocument.getElementById(input.getAttribute('aria-describedby') ?? '')).toHaveTextContent('openai rejected the API key.');
  },
};

export const WithStoredKeys: Story = {
  parameters: {
    msw: {
      handlers: aiuHandlers({
        keys: { stored: [{ provider: 'openai', alias: 'default', hint: 'AB12', scopes: ['chat', 'embed', 'models'], status: 'valid', createdAt: '2026-11-01T10:00:00.000Z', lastValidatedAt: '2026-11-01T10:00:00.000Z' }] },
      }),
    },
  },
  args: { replace: true },
};
