'use client';
import type { LogEntry } from '@aiu/core';
import { StreamingOutput, useChat, useConversation, type UIMessage, type UIPart, type UseChatResult } from '@aiu/react';
import { type FormEvent, type KeyboardEvent, useCallback, useEffect, useRef, useState } from 'react';
import { ConfirmButton } from './ConfirmButton';
import { type Conversation, formatUsd, fromStored, type ReplyFacts, titleOf, toStored, useChatList } from './conversations';
import { Markdown } from './Markdown';
import { ModelPicker } from './ModelPicker';

export function ChatPage() {
  const list = useChatList();
  return (
    <section aria-labelledby="chat-heading" className="chat-page">
      <aside className="history" aria-label="Past chats">
        <button type="button" onClick={list.start}>
          New chat
        </button>
        {list.error ? (
          <p className="error">
            {list.error.code === 'forbidden' ? 'Chats are not kept: this server does not let the page store them.' : `Past chats could not be loaded: ${list.error.message}`}
          </p>
        ) : null}
        <ul>
          {list.entries.map((c) => (
            <li key={c.id}>
              <button type="button" className="link" aria-current={c.id === list.active ? 'true' : undefined} onClick={() => list.select(c.id)}>
                {c.title}
              </button>
            </li>
          ))}
        </ul>
      </aside>
      {/* One thread per chat: switching remounts it with that chat's messages. */}
      {list.active ? (
        <ThreadLoader key={list.active} id={list.active} draft={list.draft} save={list.save} onDelete={() => list.remove(list.active ?? '')} />
      ) : (
        <p className="muted thread">Loading chats…</p>
      )}
    </section>
  );
}

type Save = ReturnType<typeof useChatList>['save'];

/** A new chat starts empty; a stored one is read from the server first (once: it is this tab's from then on). */
function ThreadLoader({ id, draft, save, onDelete }: { id: string; draft: Conversation | null; save: Save; onDelete: () => Promise<void> }) {
  const [fresh] = useState(draft);
  const stored = useConversation(fresh ? null : id);
  if (fresh) return <Thread initial={fresh} version={0} save={save} onDelete={onDelete} />;
  if (stored.error) {
    return (
      <p className="error thread" role="alert">
        {stored.error.code === 'not_found' ? 'This chat is gone (deleted elsewhere).' : `This chat could not be loaded: ${stored.error.message}`}
      </p>
    );
  }
  if (!stored.conversation) return <p className="muted thread">Loading chat…</p>;
  return <Thread initial={fromStored(stored.conversation)} version={stored.conversation.version} save={save} onDelete={onDelete} />;
}

interface ThreadProps {
  initial: Conversation;
  /** The stored version this tab holds (0: not saved yet): a save over a newer one is refused, not lost. */
  version: number;
  save: Save;
  onDelete: () => Promise<void>;
}

type Change = (c: Conversation) => Conversation;

/**
 * Saves the chat whenever it changes: one save in flight at a time, the latest state next (a burst
 * of settings edits is one or two saves). Saves outlive the thread, so leaving mid-save loses nothing.
 */
function useSavedConversation(initial: Conversation, initialVersion: number, save: Save) {
  const [conversation, setConversation] = useState(initial);
  const [problem, setProblem] = useState<'conflict' | string | null>(null);
  // The last state the server has: the chat is unsaved from the moment it changes until then.
  const [acknowledged, setAcknowledged] = useState(initial);
  const version = useRef(initialVersion);
  const next = useRef<Conversation | null>(null);
  const saving = useRef(false);
  // The list hands a new save function every render; the latest one is used, saves follow changes only.
  const saveRef = useRef(save);
  saveRef.current = save;

  useEffect(() => {
    // Nothing to save until the chat has changed, and an empty chat is not worth keeping.
    if (conversation === initial || conversation.messages.length === 0) return;
    next.current = conversation;
    if (saving.current) return;
    saving.current = true;
    void (async () => {
      while (next.current) {
        const latest = next.current;
        next.current = null;
        try {
          version.current = (await saveRef.current(latest.id, toStored(latest), { version: version.current })).version;
          setAcknowledged(latest);
        } catch (error) {
          next.current = null;
          const code = (error as { code?: string }).code;
          setProblem(code === 'conflict' ? 'conflict' : code === 'forbidden' ? 'This chat is not saved: this server does not let the page store chats.' : `This chat could not be saved: ${(error as Error).message}`);
        }
      }
      saving.current = false;
    })();
  }, [conversation, initial]);

  const onChange = useCallback((change: Change) => setConversation((c) => ({ ...change(c), updatedAt: Date.now() })), []);
  const pending = problem === null && conversation !== acknowledged && conversation.messages.length > 0;
  return { conversation, onChange, problem, pending };
}

function Thread({ initial, version, save, onDelete }: ThreadProps) {
  const { conversation, onChange, problem, pending: unsaved } = useSavedConversation(initial, version, save);
  const [model, setModel] = useState<string | null>(conversation.model);
  const [prompt, setPrompt] = useState('');
  const [files, setFiles] = useState<File[]>([]);
  const fileInput = useRef<HTMLInputElement>(null);
  const end = useRef<HTMLDivElement>(null);
  const chat = useChat({
    model: model ?? undefined,
    system: conversation.system || undefined,
    options: conversation.temperature === null ? undefined : { temperature: conversation.temperature },
    initialMessages: conversation.messages,
    metadata: { conversation: conversation.id },
    // The server's tools (the example's `weather`) only when the chat's settings offer them.
    activeTools: conversation.tools ? ['weather'] : [],
  });
  useReplyFacts(chat, model, onChange);

  // Follow the reply as it grows.
  useEffect(() => {
    end.current?.scrollIntoView?.({ block: 'end' });
  }, [chat.messages.length, chat.text]);

  const canSend = Boolean(model) && !chat.isStreaming && (prompt.trim().length > 0 || files.length > 0);

  function submit(event?: FormEvent) {
    event?.preventDefault();
    if (!canSend) return;
    void chat.send({ text: prompt.trim(), ...(files.length ? { files } : {}) });
    setPrompt('');
    setFiles([]);
    if (fileInput.current) fileInput.current.value = '';
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // Enter sends, Shift+Enter breaks the line; an IME composing a character keeps its Enter.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  }

  const lastAssistant = [...chat.messages].reverse().find((m) => m.role === 'assistant');
  const pending = chat.isStreaming && chat.messages.at(-1)?.role === 'user';
  // Spent: every call this chat made, a regenerated-away reply's too; replies: those in the thread now.
  const spent = Object.values(conversation.replies).reduce((sum, facts) => ({ tokens: sum.tokens + (facts.usage?.totalTokens ?? 0), cost: sum.cost + (facts.cost?.total ?? 0) }), { tokens: 0, cost: 0 });
  const totals = { ...spent, replies: chat.messages.filter((m) => m.role === 'assistant' && conversation.replies[m.id]).length };

  return (
    <div className="thread">
      <header className="thread-head">
        <h1 id="chat-heading">{conversation.messages.length ? conversation.title : 'Chat'}</h1>
        {totals.replies ? (
          <p className="muted" data-testid="conversation-totals">
            {totals.replies} {totals.replies === 1 ? 'reply' : 'replies'} · {totals.tokens.toLocaleString()} tokens · {formatUsd(totals.cost)} spent
          </p>
        ) : null}
        {conversation.messages.length ? (
          <span className="thread-tools">
            <span className="muted" data-testid="save-state" data-state={unsaved ? 'saving' : 'saved'}>
              {unsaved ? 'Saving…' : 'Saved'}
            </span>
            <ConfirmButton label="Delete" what="this chat" onConfirm={onDelete} />
          </span>
        ) : null}
      </header>
      {problem ? (
        <p className="error" role="alert">
          {problem === 'conflict' ? (
            <>
              This chat was changed in another tab or browser, so this tab stopped saving it.{' '}
              <button type="button" className="link" onClick={() => window.location.reload()}>
                Load the newer version
              </button>
            </>
          ) : (
            problem
          )}
        </p>
      ) : null}

      <StreamingOutput source={chat}>
        {({ getContainerProps, getAnnouncerProps }) => (
          <>
            <ol className="messages" aria-label="Conversation">
              {chat.messages.length === 0 ? <li className="empty">Ask anything: the reply streams in here, with its tokens and cost.</li> : null}
              {chat.messages.map((message) => {
                const latest = message.id === lastAssistant?.id && message === chat.messages.at(-1);
                const facts = conversation.replies[message.id];
                return (
                  <li key={message.id} className="message" data-role={message.role}>
                    {message.role === 'assistant' ? (
                      <div {...(latest ? getContainerProps({ className: 'bubble', 'data-testid': 'output' }) : { className: 'bubble', 'data-state': facts?.status === 'aborted' ? 'aborted' : 'done' })}>
                        <Parts message={message} chat={chat} />
                      </div>
                    ) : (
                      <div className="bubble">
                        <Parts message={message} chat={chat} />
                      </div>
                    )}
                    {message.role === 'assistant' ? (
                      <ReplyFooter
                        message={message}
                        facts={latest && chat.isStreaming ? undefined : facts}
                        canRegenerate={latest && !chat.isStreaming}
                        onRegenerate={() => void chat.regenerate()}
                      />
                    ) : null}
                  </li>
                );
              })}
              {pending ? (
                <li className="message" data-role="assistant">
                  <div {...getContainerProps({ className: 'bubble', 'data-testid': 'output' })}>…</div>
                </li>
              ) : null}
            </ol>
            <p {...getAnnouncerProps({ className: 'visually-hidden' })} />
          </>
        )}
      </StreamingOutput>
      {chat.error ? (
        <p className="error" role="alert">
          {actionable(chat.error.code, chat.error.message, model)}
        </p>
      ) : null}
      <div ref={end} />

      <form className="prompt" onSubmit={submit}>
        <div className="prompt-row">
          <ModelPicker value={model} onValueChange={(id) => (setModel(id), onChange((c) => ({ ...c, model: id })))} />
          <details className="settings">
            <summary>Settings</summary>
            <label htmlFor="system">System prompt</label>
            <textarea id="system" rows={2} value={conversation.system} onChange={(event) => onChange((c) => ({ ...c, system: event.target.value }))} />
            <label htmlFor="temperature">Temperature</label>
            <input
              id="temperature"
              type="number"
              min={0}
              max={2}
              step={0.1}
              placeholder="model default"
              value={conversation.temperature ?? ''}
              onChange={(event) => onChange((c) => ({ ...c, temperature: event.target.value === '' ? null : Math.min(2, Math.max(0, Number(event.target.value))) }))}
            />
            <label className="check">
              <input type="checkbox" checked={conversation.tools ?? false} onChange={(event) => onChange((c) => ({ ...c, tools: event.target.checked }))} />
              Let the model look up the weather (a server tool that asks first)
            </label>
          </details>
        </div>
        <label htmlFor="prompt">Message</label>
        <textarea
          id="prompt"
          rows={3}
          value={prompt}
          placeholder="Message — Enter sends, Shift+Enter starts a new line"
          onChange={(event) => setPrompt(event.target.value)}
          onKeyDown={onKeyDown}
        />
        <div className="actions">
          <button type="submit" disabled={!canSend}>
            Send
          </button>
          <button type="button" onClick={chat.stop} disabled={!chat.isStreaming}>
            Stop
          </button>
          <label className="attach">
            <span>Attach image</span>
            <input ref={fileInput} type="file" accept="image/*" multiple onChange={(event) => setFiles([...(event.target.files ?? [])])} />
          </label>
          {files.length ? <span className="muted">{files.map((file) => file.name).join(', ')}</span> : null}
        </div>
        {!model ? <p className="muted">Pick a model to send.</p> : null}
      </form>
    </div>
  );
}

/** A message's parts in order: text as Markdown, reasoning folded away, tool calls as they stream, images. */
function Parts({ message, chat }: { message: UIMessage; chat: UseChatResult }) {
  return (
    <>
      {message.parts.map((part, index) => (
        <Part key={index} part={part} role={message.role} chat={chat} />
      ))}
    </>
  );
}

function Part({ part, role, chat }: { part: UIPart; role: UIMessage['role']; chat: UseChatResult }) {
  switch (part.type) {
    case 'text':
      return role === 'assistant' ? <Markdown text={part.text} /> : <p className="user-text">{part.text}</p>;
    case 'reasoning':
      return part.text ? (
        <details className="reasoning">
          <summary>Reasoning</summary>
          <Markdown text={part.text} />
        </details>
      ) : null;
    case 'image':
      return <img className="attachment" alt="Attached image" src={typeof part.image === 'string' && part.image.startsWith('data:') ? part.image : `data:${part.mediaType ?? 'image/png'};base64,${String(part.image)}`} />;
    case 'file':
      return <p className="muted">📎 {part.filename ?? part.mediaType}</p>;
    case 'tool-call':
      return (
        <div className="tool" data-state={part.state}>
          <strong>{part.toolName}</strong> <code>{part.inputText ?? JSON.stringify(part.input)}</code>
          {part.state === 'output-available' ? <pre>{JSON.stringify(part.output, null, 2)}</pre> : null}
          {part.state === 'output-error' ? <p className="error">{part.errorText}</p> : null}
          {part.state === 'approval-requested' ? (
            <span className="actions">
              <button type="button" onClick={() => void chat.respondToApproval({ toolCallId: part.toolCallId, approved: true })}>
                Allow
              </button>
              <button type="button" onClick={() => void chat.respondToApproval({ toolCallId: part.toolCallId, approved: false })}>
                Deny
              </button>
            </span>
          ) : null}
        </div>
      );
    case 'step-start':
      return <hr className="step" />;
    default:
      return null;
  }
}

function ReplyFooter({ message, facts, canRegenerate, onRegenerate }: { message: UIMessage; facts: ReplyFacts | undefined; canRegenerate: boolean; onRegenerate: () => void }) {
  const [copied, setCopied] = useState(false);
  const text = message.parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n\n');
  return (
    <div className="reply-footer">
      {facts ? (
        <span className="usage" data-state={facts.status} data-testid="reply-usage">
          {facts.usage ? `${facts.usage.inputTokens.toLocaleString()} in · ${facts.usage.outputTokens.toLocaleString()} out · ` : ''}
          {facts.usage || facts.cost ? formatUsd(facts.cost?.total) : facts.status === 'aborted' ? 'stopped' : ''}
          {facts.estimated ? ' (estimated: stopped)' : ''}
          {facts.model ? ` · ${facts.model}` : ''}
        </span>
      ) : null}
      <button
        type="button"
        className="link"
        onClick={() =>
          void navigator.clipboard?.writeText(text).then(() => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          })
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
      {canRegenerate ? (
        <button type="button" className="link" onClick={onRegenerate}>
          Regenerate
        </button>
      ) : null}
    </div>
  );
}

/**
 * When a reply ends, what it cost goes with the chat: from the stream's finish, or — for a reply
 * that was stopped, which never gets one — from the request log's (estimated) entry.
 */
function useReplyFacts(chat: UseChatResult, model: string | null, onChange: (change: Change) => void) {
  const previous = useRef(chat.status);
  useEffect(() => {
    const was = previous.current;
    previous.current = chat.status;
    if (was === chat.status || (chat.status !== 'done' && chat.status !== 'aborted' && chat.status !== 'error')) return;
    const messages = chat.messages;
    const last = messages.at(-1);
    const reply = last?.role === 'assistant' ? last : undefined;
    const facts: ReplyFacts = { model: chat.model, status: chat.status, usage: chat.usage, cost: chat.cost, requestId: chat.requestId };
    // One reply can take several calls (a tool asked for approval, then the answer): they add up.
    onChange((c) => ({ ...c, model, messages, title: titleOf(messages), replies: reply ? { ...c.replies, [reply.id]: addedTo(c.replies[reply.id], facts) } : c.replies }));
    if (chat.status === 'aborted' && chat.requestId && reply) {
      void loggedEntry(chat.requestId).then((entry) => {
        if (!entry) return;
        const logged: ReplyFacts = { ...facts, model: entry.model, usage: entry, cost: entry.cost, estimated: entry.estimated };
        onChange((c) => ({ ...c, replies: { ...c.replies, [reply.id]: logged } }));
      });
    }
  }, [chat.status, chat.messages, chat.model, chat.usage, chat.cost, chat.requestId, model, onChange]);
}

/** A reply's facts after one more call of it (a different request id); the same call again replaces them. */
function addedTo(earlier: ReplyFacts | undefined, facts: ReplyFacts): ReplyFacts {
  if (!earlier || earlier.requestId === facts.requestId || !earlier.usage || !facts.usage) return facts;
  const usage = {
    inputTokens: earlier.usage.inputTokens + facts.usage.inputTokens,
    outputTokens: earlier.usage.outputTokens + facts.usage.outputTokens,
    totalTokens: earlier.usage.totalTokens + facts.usage.totalTokens,
  };
  const cost = earlier.cost && facts.cost ? { total: earlier.cost.total + facts.cost.total } : null;
  return { ...facts, usage, cost };
}

/**
 * The log entry of a call. The log writes in batches, so it may take a moment to appear: the
 * newest entries are asked for until it is among them (`GET /logs/:id` would answer 404 until then).
 */
async function loggedEntry(id: string): Promise<LogEntry | null> {
  for (let attempt = 0; attempt < 10; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const response = await fetch('/api/aiu/logs?limit=20');
    if (!response.ok) return null;
    const found = ((await response.json()) as { entries: LogEntry[] }).entries.find((entry) => entry.id === id);
    if (found) return found;
  }
  return null;
}

/** Errors as something the user can do, not as a developer message. */
function actionable(code: string, message: string, model: string | null): string {
  const provider = model?.split(':')[0] ?? 'the provider';
  switch (code) {
    case 'missing_api_key':
      return `No ${provider} key yet: add one on the Keys page.`;
    case 'invalid_api_key':
    case 'key_rejected':
      return `${provider} did not accept its key: replace it on the Keys page.`;
    case 'rate_limited':
    case 'quota_exceeded':
      return `${message} Try again in a moment.`;
    case 'invalid_model':
    case 'unknown_provider':
      return 'That model is not available here: pick another one.';
    case 'upstream_unreachable':
    case 'upstream_timeout':
      return `${provider} could not be reached. Try again, or pick another model.`;
    default:
      return message;
  }
}
