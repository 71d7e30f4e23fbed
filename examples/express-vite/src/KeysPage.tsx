'use client';
import { ProviderKeyForm, useProviderKeys } from '@aiu/react';
import { useState } from 'react';

export function KeysPage() {
  const keys = useProviderKeys();
  const withKeys = keys.providers.filter((p) => p.requiresKey);
  const [provider, setProvider] = useState('openai');
  return (
    <section aria-labelledby="keys-heading">
      <h1 id="keys-heading">Provider keys</h1>
      <p className="muted">Keys are encrypted on the server (AES-256-GCM) and never sent back: you see the last four characters only.</p>
      <label htmlFor="provider">Provider</label>
      <select id="provider" value={provider} onChange={(event) => setProvider(event.target.value)}>
        {(withKeys.length ? withKeys.map((p) => p.id) : ['openai']).map((id) => (
          <option key={id} value={id}>
            {id}
          </option>
        ))}
      </select>
      <ProviderKeyForm key={provider} provider={provider} replace>
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
      {keys.error ? <p className="error">{keys.error.message}</p> : null}
      <table className="table">
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
          {keys.providers.flatMap((p) =>
            p.keys.map((key) => (
              <tr key={`${p.id}/${key.alias}`}>
                <td>{p.id}</td>
                <td>{key.alias}</td>
                <td>…{key.hint || '····'}</td>
                <td data-state={key.status}>{key.status}</td>
                <td>
                  <button type="button" onClick={() => void keys.deleteKey(p.id, key.alias)}>
                    Delete <span className="visually-hidden">{`${p.id} ${key.alias}`}</span>
                  </button>
                </td>
              </tr>
            )),
          )}
        </tbody>
      </table>
    </section>
  );
}
