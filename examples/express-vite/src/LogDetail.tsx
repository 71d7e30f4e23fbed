'use client';
import { type LogEntry } from '@aiu/core';
import { useEffect, useRef, useState } from 'react';
import { formatUsd } from './conversations';

/** One log entry in full (`GET /logs/:id`): attempts, steps, tool calls, guardrails, and the bodies when `logBodies` is on. */
export function LogDetail({ id, onClose }: { id: string; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [entry, setEntry] = useState<LogEntry | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Focus goes back to what opened the drawer (the row's Details button) when it closes: taken
  // while rendering, before the modal makes the rest of the page inert.
  const [opener] = useState(() => (typeof document === 'undefined' ? null : (document.activeElement as HTMLElement | null)));
  useEffect(
    () => () => {
      if (opener?.isConnected) opener.focus();
    },
    [opener],
  );

  useEffect(() => {
    dialog.current?.showModal?.();
    // A small read: let it finish, and ignore an answer that comes after the drawer moved on.
    let current = true;
    fetch(`/api/aiu/logs/${encodeURIComponent(id)}`)
      .then(async (response) => {
        const body = (await response.json()) as LogEntry & { error?: { message: string } };
        if (!response.ok) throw new Error(body.error?.message ?? `HTTP ${response.status}`);
        if (current) setEntry(body);
      })
      .catch((failure: unknown) => {
        if (current) setError((failure as Error).message);
      });
    return () => {
      current = false;
    };
  }, [id]);

  return (
    <dialog ref={dialog} className="drawer" aria-labelledby="detail-heading" onClose={onClose} onCancel={onClose}>
      <header className="drawer-head">
        <h2 id="detail-heading">Call {id}</h2>
        <button type="button" className="secondary" onClick={() => dialog.current?.close()}>
          Close
        </button>
      </header>
      {error ? <p className="error">{error}</p> : null}
      {!entry && !error ? <p className="muted">Loading…</p> : null}
      {entry ? (
        <div data-testid="log-detail">
          <dl className="breakdown">
            <dt>When</dt>
            <dd>{new Date(entry.time).toLocaleString()}</dd>
            <dt>Model</dt>
            <dd>{entry.model}</dd>
            <dt>Status</dt>
            <dd>
              {entry.status}
              {entry.errorCode ? ` (${entry.errorCode})` : ''}
              {entry.estimated ? ', estimated' : ''}
            </dd>
            <dt>Tokens</dt>
            <dd>
              {entry.inputTokens.toLocaleString()} in ({entry.cachedInputTokens.toLocaleString()} cached) · {entry.outputTokens.toLocaleString()} out
              {entry.reasoningTokens ? ` (${entry.reasoningTokens.toLocaleString()} reasoning)` : ''}
            </dd>
            <dt>Cost</dt>
            <dd>{entry.cost ? `${formatUsd(entry.cost.total)} (input ${formatUsd(entry.cost.input)}, output ${formatUsd(entry.cost.output)})` : 'unknown'}</dd>
            <dt>Latency</dt>
            <dd>
              {Math.round(entry.latencyMs)} ms{entry.ttftMs === null ? '' : `, first token ${Math.round(entry.ttftMs)} ms`}
              {entry.queueMs ? `, queued ${Math.round(entry.queueMs)} ms` : ''}
            </dd>
            {entry.clientKeyId ? (
              <>
                <dt>Client key</dt>
                <dd>{entry.clientKeyId}</dd>
              </>
            ) : null}
          </dl>
          <h3>Attempts</h3>
          <ol className="plain">
            {entry.attemptDetails.map((attempt, i) => (
              <li key={i}>
                {attempt.model}: {attempt.outcome}
                {attempt.code ? ` (${attempt.code})` : ''} · {Math.round(attempt.latencyMs)} ms
              </li>
            ))}
          </ol>
          {entry.steps?.length ? (
            <>
              <h3>Steps</h3>
              <ol className="plain">
                {entry.steps.map((step) => (
                  <li key={step.step}>
                    {step.model}: {step.finishReason} · {step.inputTokens} in · {step.outputTokens} out · {formatUsd(step.costUsd)}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
          {entry.toolCalls?.length ? (
            <>
              <h3>Tool calls</h3>
              <ol className="plain">
                {entry.toolCalls.map((call) => (
                  <li key={call.toolCallId}>
                    {call.toolName} ({call.runs}): {call.outcome}
                    {call.durationMs === null ? '' : ` · ${Math.round(call.durationMs)} ms`}
                  </li>
                ))}
              </ol>
            </>
          ) : null}
          {entry.guardrails?.length ? (
            <>
              <h3>Guardrails</h3>
              <ul className="plain">
                {entry.guardrails.map((decision, i) => (
                  <li key={i}>
                    {decision.rule}: {decision.action} in the {decision.where}
                  </li>
                ))}
              </ul>
            </>
          ) : null}
          {entry.metadata ? (
            <>
              <h3>Metadata</h3>
              <pre>{JSON.stringify(entry.metadata, null, 2)}</pre>
            </>
          ) : null}
          <h3>Prompt and reply</h3>
          {entry.prompt || entry.response ? (
            <>
              <pre>{entry.prompt}</pre>
              <pre>{entry.response}</pre>
            </>
          ) : (
            <p className="muted">Not kept: the server logs bodies only with createAiu({'{'} logBodies: true {'}'}).</p>
          )}
        </div>
      ) : null}
    </dialog>
  );
}
