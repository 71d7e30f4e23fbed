// Guardrails: CPU to check 10 kB of prompt before it leaves, in this process. The check itself
// (the Guardrails class from source, as createAiu builds it): default secrets, and secrets plus
// PII, on a prompt with no secret (the common case) and one holding three. CPU time, not wall.
import type { ChatRequest } from '@aiu/core';
import { Guardrails } from '../packages/server/src/guardrails/guardrails';
import { median, type Benchmark, type Figure } from './stats';

/** Prose, code and numbers, as prompts are: 10 kB of it. */
function prompt(withSecrets: boolean): string {
  const parts = [
    'Please review the following function and explain what the token bucket does when the secret rotation job runs. ',
    'const limiter = new TokenBucket({ capacity: 120, refillPerSecond: 2 }); // auth happens upstream\n',
    'The meeting is on 2026-12-02 at 14:00; invoice 4821 covers 1,250 units at $3.20 each. ',
    'function retry(fn, attempts = 3) { for (let i = 0; i < attempts; i++) { try { return fn(); } catch (e) { if (i === attempts - 1) throw e; } } }\n',
  ];
  let text = '';
  for (let i = 0; text.length < 10_240; i++) text += parts[i % parts.length];
  if (withSecrets) text = `${text.slice(0, 3000)} AKIAIOSFODNN7EXAMPLQ ${text.slice(3000, 6000)} ghp_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z0123 ${text.slice(6000, 9000)} password = "Xq9!vR2#mT7$wL4p" ${text.slice(9000, 10_240)}`;
  return text.slice(0, 10_400);
}

function cpuMicrosPerCall(call: () => unknown, calls: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < calls; i++) call();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / calls;
}

export const guardrailsBenchmark: Benchmark = {
  name: 'Guardrails',
  async run({ quick }) {
    const cases = [
      { name: 'secrets (default), 10 kB prompt, no secret', guard: new Guardrails(), text: prompt(false) },
      { name: 'secrets (default), 10 kB prompt, three secrets redacted', guard: new Guardrails(), text: prompt(true) },
      { name: 'secrets + PII, 10 kB prompt, no secret', guard: new Guardrails({ pii: 'redact' }), text: prompt(false) },
    ];
    const calls = quick ? 500 : 2_000;
    const figures: Figure[] = [];
    // A yardstick run in the same process, so a slow machine shows as itself and not as a regression:
    // parsing the same request's JSON, which every route does anyway.
    const body = JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: prompt(false) }] });
    const parseRounds: number[] = [];
    const guardRounds = new Map<string, number[]>(cases.map((c) => [c.name, []]));
    const requests = cases.map(({ text }): ChatRequest => ({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: text }] }));
    // Warm every path first, so no round pays for compiling the rules.
    cases.forEach(({ guard }, i) => cpuMicrosPerCall(() => guard.checkPrompt(requests[i] as ChatRequest), calls));
    cpuMicrosPerCall(() => JSON.parse(body), calls);
    for (let round = 0; round < (quick ? 3 : 8); round++) {
      // Each workload in a block of its own: the yardstick's garbage (10 kB strings) must not be
      // collected on a check's clock, nor the other way round.
      cases.forEach(({ name, guard }, i) => guardRounds.get(name)?.push(cpuMicrosPerCall(() => guard.checkPrompt(requests[i] as ChatRequest), calls)));
      parseRounds.push(cpuMicrosPerCall(() => JSON.parse(body), calls));
    }
    for (const { name } of cases) {
      const rounds = guardRounds.get(name) ?? [];
      figures.push({ name: `${name} (CPU per check)`, value: median(rounds), unit: 'µs', goal: { value: 30, lowerIsBetter: true } });
      figures.push({ name: `${name} vs JSON.parse of the same request (same run)`, value: median(rounds) / median(parseRounds), unit: '×' });
    }
    figures.push({ name: 'yardstick: JSON.parse of the 10 kB request (CPU)', value: median(parseRounds), unit: 'µs' });
    return figures;
  },
};
