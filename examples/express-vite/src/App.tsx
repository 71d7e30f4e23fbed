import { StreamingOutput, useChat } from '@aiu/react';
import { type FormEvent, useState } from 'react';

// The demo replay answers each of these with the recording made with that model.
const MODELS = ['openai:gpt-4.1-nano-2025-04-14', 'mistral:mistral-small-latest', 'deepseek:deepseek-chat', 'xai:grok-3-mini'];

export function App() {
  const [model, setModel] = useState(MODELS[0] as string);
  const [prompt, setPrompt] = useState('Invent a new holiday and describe its traditions.');
  const chat = useChat({ model });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (prompt.trim()) void chat.send(prompt.trim());
  }

  return (
    <main className="app">
      <h1>aiu chat</h1>
      <form className="prompt" onSubmit={submit}>
        <label htmlFor="model">Model</label>
        <select id="model" value={model} onChange={(event) => setModel(event.target.value)}>
          {MODELS.map((id) => (
            <option key={id} value={id}>
              {id}
            </option>
          ))}
        </select>
        <label htmlFor="prompt">Prompt</label>
        <textarea id="prompt" rows={3} value={prompt} onChange={(event) => setPrompt(event.target.value)} />
        <div className="actions">
          <button type="submit" disabled={chat.isStreaming}>
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
            <div {...getContainerProps({ className: 'output' })}>{text || (status === 'idle' ? 'Send a prompt to start.' : '')}</div>
            <p {...getAnnouncerProps({ className: 'visually-hidden' })} />
            {error ? (
              <p className="error" role="alert">
                {error.code}: {error.message}
              </p>
            ) : null}
            {usage ? (
              <p className="usage" data-state={status}>
                {usage.inputTokens} in · {usage.outputTokens} out · {usage.totalTokens} tokens ·{' '}
                {cost ? `$${cost.total.toFixed(6)}` : 'price unknown'}
              </p>
            ) : null}
          </section>
        )}
      </StreamingOutput>
    </main>
  );
}
