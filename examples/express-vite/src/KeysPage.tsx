'use client';
import type { CreatedClientKey } from '@aiu/core';
import { ProviderKeyForm, useClientKeys, useProviderKeys } from '@aiu/react';
import { type FormEvent, useState } from 'react';
import { ConfirmButton } from './ConfirmButton';
import { formatUsd } from './conversations';

export function KeysPage({ demo }: { demo: boolean }) {
  return (
    <>
      <ProviderKeys demo={demo} />
      <ClientKeys />
    </>
  );
}

function ProviderKeys({ demo }: { demo: boolean }) {
  const keys = useProviderKeys();
  const withKeys = keys.providers.filter((p) => p.requiresKey);
  const [provider, setProvider] = useState('openai');
  const stored = keys.providers.flatMap((p) => p.keys.map((key) => ({ provider: p.id, key })));
  return (
    <section aria-labelledby="keys-heading">
      <h1 id="keys-heading">Provider keys</h1>
      <p className="muted">Keys are encrypted on the server (AES-256-GCM) and never sent back: you see the last four characters only.</p>
      {demo ? <p className="notice">Demo mode: a key is stored but not checked with the provider, so it shows as “unchecked”.</p> : null}
      <label htmlFor="provider">Provider</label>
      <select id="provider" value={provider} onChange={(event) => setProvider(event.target.value)}>
        {(withKeys.length ? withKeys.map((p) => p.id) : ['openai']).map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
      {/* In demo mode the replayed provider would call any key valid: saying so would be a lie. */}
      <ProviderKeyForm key={`${provider}-${demo}`} provider={provider} replace validateBeforeSave={!demo}>
        {(form) => (
          <form className="key-form" {...form.getFormProps({ 'aria-label': `Add a ${provider} key` })}>
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

      <h2>Stored keys</h2>
      {keys.error ? <p className="error">Could not load the keys: {keys.error.message}</p> : null}
      {stored.length === 0 && !keys.isLoading ? (
        <p className="empty">No keys stored yet. Keys from the server’s environment (OPENAI_API_KEY, …) work without being stored here.</p>
      ) : (
        <div className="table-scroll">
        <table className="table" aria-label="Stored keys">
          <thead>
            <tr>
              <th scope="col">Provider</th>
              <th scope="col">Alias</th>
              <th scope="col">Key</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {stored.map(({ provider: id, key }) => (
              <tr key={`${id}/${key.alias}`}>
                <td>{id}</td>
                <td>{key.alias}</td>
                <td>…{key.hint || '····'}</td>
                <td data-state={key.status}>{key.status === 'unknown' ? 'unchecked' : key.status}</td>
                <td>
                  <ConfirmButton label="Delete" what={`${id} key ${key.alias}`} onConfirm={() => keys.deleteKey(id, key.alias)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
</div>
      )}
    </section>
  );
}

function ClientKeys() {
  const clientKeys = useClientKeys();
  const [name, setName] = useState('');
  const [models, setModels] = useState('');
  const [created, setCreated] = useState<CreatedClientKey | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);

  async function create(event: FormEvent) {
    event.preventDefault();
    setError(null);
    try {
      const patterns = models.split(',').map((m) => m.trim()).filter(Boolean);
      setCreated(await clientKeys.create({ name: name.trim(), ...(patterns.length ? { models: patterns } : {}) }));
      setCopied(false);
      setName('');
      setModels('');
    } catch (failure) {
      setError((failure as Error).message);
    }
  }

  return (
    <section aria-labelledby="client-keys-heading">
      <h2 id="client-keys-heading">Client keys</h2>
      <p className="muted">
        Keys this server issues to apps and people: any OpenAI SDK pointed at <code>/api/aiu/v1</code> with one is limited, logged and priced like the rest.
      </p>
      <form className="key-form" onSubmit={(event) => void create(event)} aria-label="Create a client key">
        <label htmlFor="client-key-name">Name</label>
        <input id="client-key-name" value={name} onChange={(event) => setName(event.target.value)} placeholder="mobile app" required maxLength={100} />
        <label htmlFor="client-key-models">Models (optional)</label>
        <input id="client-key-models" value={models} onChange={(event) => setModels(event.target.value)} placeholder="openai:*, anthropic:claude-haiku-4-5" />
        <button type="submit" disabled={!name.trim() || clientKeys.isCreating}>
          {clientKeys.isCreating ? 'Creating…' : 'Create client key'}
        </button>
        {error ? (
          <p className="error" role="alert">
            {error}
          </p>
        ) : null}
      </form>
      {created ? (
        <div className="secret" role="status">
          <p>
            <strong>{created.name}</strong>: copy the key now — it is shown this once.
          </p>
          <div className="combo">
            <input readOnly aria-label="New client key" value={created.key} onFocus={(event) => event.target.select()} />
            <button type="button" onClick={() => void navigator.clipboard?.writeText(created.key).then(() => setCopied(true))}>
              {copied ? 'Copied' : 'Copy'}
            </button>
            <button type="button" className="secondary" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      ) : null}
      {clientKeys.keys.length === 0 && !clientKeys.isLoading ? (
        <p className="empty">No client keys yet.</p>
      ) : (
        <div className="table-scroll">
        <table className="table" aria-label="Client keys">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Key</th>
              <th scope="col">Models</th>
              <th scope="col">Spent</th>
              <th scope="col">Last used</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {clientKeys.keys.map((key) => (
              <tr key={key.id} data-state={key.revokedAt ? 'revoked' : 'active'}>
                <td>{key.name}</td>
                <td>…{key.hint}</td>
                <td>{key.models?.join(', ') ?? 'all'}</td>
                <td>{formatUsd(key.spendUsd)}</td>
                <td>{key.lastUsedAt ? new Date(key.lastUsedAt).toLocaleString() : 'never'}</td>
                <td>{key.revokedAt ? 'revoked' : <ConfirmButton label="Revoke" what={`client key ${key.name}`} onConfirm={() => clientKeys.revoke(key.id)} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
</div>
      )}
    </section>
  );
}
