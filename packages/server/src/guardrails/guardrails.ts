import { AiuError, type ChatMessage, type ChatRequest, type ToolResultPart } from '@aiu/core';
import { PII_RULES, type Rule, SECRET_RULES } from './rules';
import { type Finding, redactFindings, Scanner } from './scan';

export type GuardrailAction = 'block' | 'redact' | 'flag' | 'off';

/** One action for a whole rule set, or a default with per-rule exceptions (`{ action: 'redact', rules: { jwt: 'flag' } }`). */
export type RuleSetOption = GuardrailAction | { action?: GuardrailAction; rules?: Record<string, GuardrailAction> };

/** What a custom guardrail found: the rule it names, what to do, and where (no span: the whole text). */
export interface CustomFinding {
  rule: string;
  action?: GuardrailAction;
  start?: number;
  end?: number;
}

/** A custom check: called on every prompt text (and, with `answers: 'flag'`, on the answer). */
export type CustomGuardrail = (text: string, where: { where: 'prompt' | 'answer'; message: number | null }) => CustomFinding[] | null | undefined;

export interface GuardrailsOptions {
  /** Provider and cloud keys, tokens, private keys, JWTs, high-entropy values after `password`/`secret`/…. Default `redact`. */
  secrets?: RuleSetOption;
  /** Emails, phone numbers, card numbers (Luhn-checked). Default `off`: opt in. */
  pii?: RuleSetOption;
  custom?: CustomGuardrail[];
  /** Check answers too (flagging only: an answer has already been paid for). Default `off`. */
  answers?: 'flag' | 'off';
}

/** One decision, as the log entry keeps it: never the matched text. */
export interface GuardrailDecision {
  rule: string;
  action: Exclude<GuardrailAction, 'off'>;
  where: 'prompt' | 'answer';
  /** The message it was found in (null: an answer). */
  message: number | null;
}

interface ActiveRule {
  rule: Rule;
  action: GuardrailAction;
}

const ACTIONS: ReadonlySet<string> = new Set(['block', 'redact', 'flag', 'off']);

/** A prompt or answer that may not go on, naming the rule and the message, never the match. */
export class GuardrailBlockedError extends AiuError {
  constructor(rule: string, message: number) {
    super('guardrail_blocked', `Message ${message} holds what the "${rule}" guardrail blocks; remove it and send again.`, { details: { rule, message } });
  }
}

function resolveSet(rules: readonly Rule[], option: RuleSetOption | undefined, fallback: GuardrailAction, name: string): ActiveRule[] {
  const { action = fallback, rules: perRule = {} } = typeof option === 'string' ? { action: option } : (option ?? {});
  if (!ACTIONS.has(action)) throw new TypeError(`[aiu] guardrails.${name} must be "block", "redact", "flag" or "off" (got ${JSON.stringify(action)}).`);
  const known = new Set(rules.map((rule) => rule.id));
  for (const [id, ruleAction] of Object.entries(perRule)) {
    if (!known.has(id)) throw new TypeError(`[aiu] guardrails.${name}.rules.${id} is not a rule (rules: ${[...known].join(', ')}).`);
    if (!ACTIONS.has(ruleAction)) throw new TypeError(`[aiu] guardrails.${name}.rules.${id} must be "block", "redact", "flag" or "off".`);
  }
  return rules.map((rule) => ({ rule, action: perRule[rule.id] ?? action }));
}

/**
 * Prompts checked before they leave for the provider: a rule's match blocks the call (400
 * `guardrail_blocked`), is replaced by `[redacted:<rule>]`, or is flagged in the log. Logged
 * bodies are redacted by every rule, whatever its action.
 */
export class Guardrails {
  private readonly active: ActiveRule[];
  private readonly scanner: Scanner;
  private readonly actions: ReadonlyMap<string, GuardrailAction>;
  /** Every rule, for redacting what is logged. */
  private readonly logScanner: Scanner;
  private readonly custom: readonly CustomGuardrail[];
  readonly checksAnswers: boolean;

  constructor(options: GuardrailsOptions = {}) {
    const secrets = resolveSet(SECRET_RULES, options.secrets, 'redact', 'secrets');
    const pii = resolveSet(PII_RULES, options.pii, 'off', 'pii');
    this.active = [...secrets, ...pii].filter((entry) => entry.action !== 'off');
    this.scanner = new Scanner(this.active.map((entry) => entry.rule));
    this.actions = new Map(this.active.map((entry) => [entry.rule.id, entry.action]));
    // A rule set turned off still keeps its matches out of the log; PII only once opted in.
    this.logScanner = new Scanner([...SECRET_RULES, ...(pii.some((entry) => entry.action !== 'off') ? PII_RULES : [])]);
    this.custom = options.custom ?? [];
    this.checksAnswers = options.answers === 'flag';
  }

  /**
   * The request as it may leave (redacted where a rule says so) and what was decided. Throws
   * `GuardrailBlockedError` for the first blocking match.
   */
  checkPrompt(request: ChatRequest): { request: ChatRequest; decisions: GuardrailDecision[] } {
    if (this.active.length === 0 && this.custom.length === 0) return { request, decisions: [] };
    const decisions: GuardrailDecision[] = [];
    let messages: ChatMessage[] | undefined;
    request.messages.forEach((message, index) => {
      const checked = this.checkMessage(message, index, decisions);
      if (checked !== message) (messages ??= [...request.messages])[index] = checked;
    });
    return { request: messages ? { ...request, messages } : request, decisions };
  }

  /**
   * Results of aiu's own tools, checked as prompt text before the next step sends them (a tool may
   * read a secret from anywhere). A result a rule blocks is withheld from the model, which is told
   * why; the call goes on.
   */
  checkToolResults(results: ToolResultPart[], message: number): { results: ToolResultPart[]; decisions: GuardrailDecision[] } {
    if ((this.active.length === 0 && this.custom.length === 0) || results.length === 0) return { results, decisions: [] };
    const decisions: GuardrailDecision[] = [];
    const checked = results.map((result): ToolResultPart => {
      try {
        const output = this.checkValue(result.output, message, decisions);
        return output === result.output ? result : { ...result, output };
      } catch (error) {
        if (!(error instanceof GuardrailBlockedError)) throw error;
        const { rule } = error.details as { rule: string };
        addDecision(decisions, { rule, action: 'block', where: 'prompt', message });
        return { ...result, output: { error: `The result was withheld: it holds what the "${rule}" guardrail blocks.` }, isError: true };
      }
    });
    return { results: checked, decisions };
  }

  /** Decisions on a finished answer: flags only. */
  checkAnswer(text: string): GuardrailDecision[] {
    if (!this.checksAnswers || !text) return [];
    const decisions: GuardrailDecision[] = [];
    for (const { rule } of this.findings(text, { where: 'answer', message: null })) addDecision(decisions, { rule, action: 'flag', where: 'answer', message: null });
    return decisions;
  }

  /** Text as the log may keep it: every rule's matches redacted. */
  redactForLog(text: string): string {
    return redactFindings(text, this.logScanner.scan(text));
  }

  private checkMessage(message: ChatMessage, index: number, decisions: GuardrailDecision[]): ChatMessage {
    if (typeof message.content === 'string') {
      const text = this.checkText(message.content, index, decisions);
      return text === message.content ? message : ({ ...message, content: text } as ChatMessage);
    }
    let parts: unknown[] | undefined;
    message.content.forEach((part, i) => {
      let next: unknown = part;
      if (part.type === 'text' || part.type === 'reasoning') {
        const text = this.checkText(part.text, index, decisions);
        if (text !== part.text) next = { ...part, text };
      } else if (part.type === 'tool-result' || part.type === 'tool-call') {
        // Tool data reaches the provider too: its strings are checked as text.
        const key = part.type === 'tool-result' ? 'output' : 'input';
        const value = (part as Record<string, unknown>)[key];
        const checked = this.checkValue(value, index, decisions);
        if (checked !== value) next = { ...part, [key]: checked };
      }
      if (next !== part) (parts ??= [...message.content])[i] = next;
    });
    return parts ? ({ ...message, content: parts } as ChatMessage) : message;
  }

  private checkValue(value: unknown, index: number, decisions: GuardrailDecision[]): unknown {
    if (typeof value === 'string') return this.checkText(value, index, decisions);
    if (Array.isArray(value)) {
      const out = value.map((item) => this.checkValue(item, index, decisions));
      return out.some((item, i) => item !== value[i]) ? out : value;
    }
    if (value && typeof value === 'object') {
      let out: Record<string, unknown> | undefined;
      for (const [key, item] of Object.entries(value)) {
        const checked = this.checkValue(item, index, decisions);
        if (checked !== item) (out ??= { ...(value as Record<string, unknown>) })[key] = checked;
      }
      return out ?? value;
    }
    return value;
  }

  private checkText(text: string, index: number, decisions: GuardrailDecision[]): string {
    const findings = this.findings(text, { where: 'prompt', message: index });
    if (findings.length === 0) return text;
    const redacted: Finding[] = [];
    for (const finding of findings) {
      if (finding.action === 'block') throw new GuardrailBlockedError(finding.rule, index);
      if (finding.action === 'redact') redacted.push(finding);
      addDecision(decisions, { rule: finding.rule, action: finding.action, where: 'prompt', message: index });
    }
    return redactFindings(text, redacted);
  }

  private findings(text: string, where: { where: 'prompt' | 'answer'; message: number | null }): Array<Finding & { action: Exclude<GuardrailAction, 'off'> }> {
    const out: Array<Finding & { action: Exclude<GuardrailAction, 'off'> }> = [];
    if (this.active.length) {
      for (const finding of this.scanner.scan(text)) {
        const action = this.actions.get(finding.rule);
        if (action && action !== 'off') out.push({ ...finding, action });
      }
    }
    for (const check of this.custom) {
      for (const found of check(text, where) ?? []) {
        const action = found.action ?? 'block';
        if (action === 'off') continue;
        const start = Math.max(0, Math.min(found.start ?? 0, text.length));
        const end = Math.max(start, Math.min(found.end ?? text.length, text.length));
        out.push({ rule: found.rule, start, end, action });
      }
    }
    // Custom spans may overlap the built-in ones: redact the union, left to right.
    return out.sort((a, b) => a.start - b.start).filter((finding, i, all) => i === 0 || finding.start >= (all[i - 1] as Finding).end || finding.action === 'block');
  }
}

function addDecision(decisions: GuardrailDecision[], decision: GuardrailDecision): void {
  if (!decisions.some((d) => d.rule === decision.rule && d.action === decision.action && d.where === decision.where && d.message === decision.message)) decisions.push(decision);
}

/** What the `start` event says about a decision: the rule and the message, never the value. */
export function describeDecision(decision: GuardrailDecision): string {
  const what = decision.action === 'redact' ? 'Redacted' : 'Flagged';
  return `${what} what the "${decision.rule}" guardrail matched in message ${decision.message ?? 'answer'}.`;
}
