'use client';
import { ModelSelect, StreamingOutput, useChat } from '@aiu/react';
import { type FormEvent, useState } from 'react';

export function ChatPage() {
  const [model, setModel] = useState<string | null>('openai:gpt-4.1-nano-2025-04-14');
  const [prompt, setPrompt] = useState('Invent a new holiday and describe its traditions.');
  const chat = useChat({ model: model ?? undefined });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (prompt.trim() && model) void chat.send(prompt.trim());
  }

  return (
    <section aria-labelledby="chat-heading">
      <h1 id="chat-heading">Chat</h1>
      <form className="prompt" onSubmit={submit}>
        <ModelSelect value={model} onValueChange={setModel} kinds={['chat']} excludeDeprecated>
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
              <div className="listbox" {...api.getListboxProps()} hidden={!api.isOpen}>
                {api.isOpen
                  ? api.groups.map((group) => (
                      <div key={group.provider} {...api.getGroupProps({ provider: group.provider })}>
                        <div className="group-label" {...api.getGroupLabelProps({ provider: group.provider })}>
                          {group.provider}
                        </div>
                        {group.items.slice(0, 200).map(({ model: m, index }) => (
                          <div key={m.id} className="option" {...api.getOptionProps({ model: m, index })}>
                            <span>{m.name}</span>
                            <small>{m.pricing ? `$${m.pricing.input}/$${m.pricing.output} per 1M` : 'price unknown'}</small>
                          </div>
                        ))}
                      </div>
                    ))
                  : null}
              </div>
            </div>
          )}
        </ModelSelect>
        <label htmlFor="prompt">Prompt</label>
        <textarea id="prompt" rows={3} value={prompt} onChange={(event) => setPrompt(event.target.value)} />
        <div className="actions">
          <button type="submit" disabled={chat.isStreaming || !model}>
            Send
          </button>
          <button type="button" onClick={chat.stop} disabled={!chat.isStreaming}>
            Stop
          </button>
          <button type="button" onClick={chat.reset} disabled={chat.isStreaming}>
            New chat
          </button>
        </div>
      </form>

      <StreamingOutput source={chat}>
        {({ text, status, usage, cost, error, getContainerProps, getAnnouncerProps }) => (
          <section className="reply" aria-labelledby="reply-heading">
            <h2 id="reply-heading">Reply {chat.model ? <small>from {chat.model}</small> : null}</h2>
            <div {...getContainerProps({ className: 'output', 'data-testid': 'output' })}>{text || (status === 'idle' ? 'Send a prompt to start.' : '')}</div>
            <p {...getAnnouncerProps({ className: 'visually-hidden' })} />
            {error ? (
              <p className="error" role="alert">
                {error.code}: {error.message}
              </p>
            ) : null}
            {usage ? (
              <p className="usage" data-state={status}>
                {usage.inputTokens} in · {usage.outputTokens} out · {usage.totalTokens} tokens · {cost ? `$${cost.total.toFixed(6)}` : 'price unknown'}
              </p>
            ) : null}
          </section>
        )}
      </StreamingOutput>
    </section>
  );
}
