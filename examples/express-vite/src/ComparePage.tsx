'use client';
import { StreamingOutput, useChat } from '@aiu/react';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { formatUsd } from './conversations';
import { Markdown } from './Markdown';
import { ModelPicker } from './ModelPicker';

const DEFAULT_MODELS = ['openai:gpt-4.1-nano', 'openai:gpt-4o-mini'];

interface Result {
  model: string;
  ttftMs: number | null;
  latencyMs: number | null;
  outputTokens: number | null;
  cost: number | null;
  status: string;
}

interface Run {
  id: number;
  prompt: string;
}

/** One prompt to two to four models at once: the answers stream side by side, then who won what. */
export function ComparePage() {
  const [models, setModels] = useState<Array<string | null>>(DEFAULT_MODELS);
  const [prompt, setPrompt] = useState('');
  const [run, setRun] = useState<Run | null>(null);
  const [results, setResults] = useState<Record<number, Result>>({});
  const [running, setRunning] = useState<Record<number, boolean>>({});
  const busy = Object.values(running).some(Boolean);
  const chosen = models.filter((model): model is string => Boolean(model));

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!prompt.trim() || chosen.length < 2 || busy) return;
    setResults({});
    setRun({ id: (run?.id ?? 0) + 1, prompt: prompt.trim() });
  }

  const finished = models.map((_, i) => results[i]).filter((result): result is Result => Boolean(result) && result?.status === 'done');
  const best = (key: 'ttftMs' | 'latencyMs' | 'cost') =>
    finished.filter((r) => r[key] !== null).reduce<Result | null>((win, r) => (win === null || (r[key] as number) < (win[key] as number) ? r : win), null);

  return (
    <section aria-labelledby="compare-heading">
      <h1 id="compare-heading">Compare models</h1>
      <form className="prompt" onSubmit={submit}>
        <div className="compare-models">
          {models.map((model, i) => (
            <div key={i} className="compare-model">
              <ModelPicker label={`Model ${i + 1}`} value={model} onValueChange={(id) => setModels((all) => all.map((m, j) => (j === i ? id : m)))} />
              {models.length > 2 ? (
                <button type="button" className="link" onClick={() => setModels((all) => all.filter((_, j) => j !== i))} disabled={busy}>
                  Remove <span className="visually-hidden">model {i + 1}</span>
                </button>
              ) : null}
            </div>
          ))}
        </div>
        {models.length < 4 ? (
          <button type="button" className="secondary" onClick={() => setModels((all) => [...all, null])} disabled={busy}>
            Add a model
          </button>
        ) : null}
        <label htmlFor="compare-prompt">Prompt</label>
        <textarea id="compare-prompt" rows={3} value={prompt} onChange={(event) => setPrompt(event.target.value)} />
        <div className="actions">
          <button type="submit" disabled={!prompt.trim() || chosen.length < 2 || busy}>
            Compare
          </button>
          {chosen.length < 2 ? <span className="muted">Pick at least two models.</span> : null}
        </div>
      </form>

      {run ? (
        <div className="compare-grid" style={{ gridTemplateColumns: `repeat(${Math.min(models.length, 4)}, minmax(0, 1fr))` }}>
          {models.map((model, i) =>
            model ? (
              <CompareColumn
                key={`${run.id}-${i}-${model}`}
                model={model}
                run={run}
                onRunning={(value) => setRunning((all) => ({ ...all, [i]: value }))}
                onResult={(result) => setResults((all) => ({ ...all, [i]: result }))}
              />
            ) : null,
          )}
        </div>
      ) : null}

      {run && !busy && finished.length > 0 ? (
        <section className="winners" aria-labelledby="winners-heading" data-testid="winners">
          <h2 id="winners-heading">Summary</h2>
          <dl className="breakdown">
            <dt>First token soonest</dt>
            <dd>{best('ttftMs')?.model ?? '—'}</dd>
            <dt>Finished soonest</dt>
            <dd>{best('latencyMs')?.model ?? '—'}</dd>
            <dt>Cheapest</dt>
            <dd>{best('cost')?.model ?? '—'}</dd>
          </dl>
        </section>
      ) : null}
    </section>
  );
}

function CompareColumn({ model, run, onRunning, onResult }: { model: string; run: Run; onRunning: (running: boolean) => void; onResult: (result: Result) => void }) {
  const chat = useChat({ model, metadata: { compare: run.id } });
  const started = useRef<number | null>(null);
  const sent = useRef(false);
  const [ttft, setTtft] = useState<number | null>(null);
  const [latency, setLatency] = useState<number | null>(null);

  useEffect(() => {
    // Once per column (each run mounts new ones), however often React runs the effect.
    if (sent.current) return;
    sent.current = true;
    started.current = performance.now();
    void chat.send(run.prompt);
    // One send per run: the column is keyed by the run.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    if (ttft === null && chat.text && started.current !== null) setTtft(performance.now() - started.current);
  }, [chat.text, ttft]);
  useEffect(() => {
    onRunning(chat.isStreaming);
    if (chat.status === 'done' || chat.status === 'error' || chat.status === 'aborted') {
      const total = started.current === null ? null : performance.now() - started.current;
      setLatency(total);
      onResult({ model: chat.model ?? model, ttftMs: ttft, latencyMs: total, outputTokens: chat.usage?.outputTokens ?? null, cost: chat.cost?.total ?? null, status: chat.status });
    }
    // Reports each change of status once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [chat.status]);

  return (
    <article className="compare-column" aria-label={model} data-state={chat.status}>
      <h2>{model}</h2>
      <StreamingOutput source={chat}>
        {({ getContainerProps, getAnnouncerProps }) => (
          <>
            <div {...getContainerProps({ className: 'bubble' })}>{chat.text ? <Markdown text={chat.text} /> : chat.isStreaming ? '…' : null}</div>
            <p {...getAnnouncerProps({ className: 'visually-hidden' })} />
          </>
        )}
      </StreamingOutput>
      {chat.error ? <p className="error">{chat.error.message}</p> : null}
      <dl className="breakdown" data-testid="compare-stats">
        <dt>First token</dt>
        <dd>{ttft === null ? '—' : `${Math.round(ttft)} ms`}</dd>
        <dt>Latency</dt>
        <dd>{latency === null ? '—' : `${Math.round(latency)} ms`}</dd>
        <dt>Tokens</dt>
        <dd>{chat.usage ? `${chat.usage.inputTokens} in · ${chat.usage.outputTokens} out` : '—'}</dd>
        <dt>Cost</dt>
        <dd>{chat.usage ? formatUsd(chat.cost?.total) : '—'}</dd>
      </dl>
      {chat.isStreaming ? (
        <button type="button" onClick={chat.stop}>
          Stop
        </button>
      ) : null}
    </article>
  );
}
