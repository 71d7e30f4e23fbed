import type { Rule } from './rules';

/** Where a rule matched in a text (the secret itself, not its surroundings). */
export interface Finding {
  rule: string;
  start: number;
  end: number;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Finds rules' matches in a text. Most prompts hold no secret, so the work is one pass of a
 * single expression over every rule's keywords (case-insensitive; a stray hit only costs a
 * look). A rule's own pattern then runs only if one of its keywords appeared — and an anchored
 * one (the generic `password = …` rule) only at those places. Measured in bench/guardrails.ts.
 */
export class Scanner {
  private readonly keywords: RegExp | null;
  /** Lower-cased keyword → the rules it opens. */
  private readonly byKeyword = new Map<string, Rule[]>();
  private readonly sticky = new Map<Rule, RegExp>();
  private readonly unkeyed: Rule[];

  constructor(rules: readonly Rule[]) {
    const words = new Set<string>();
    for (const rule of rules) {
      for (const keyword of rule.keywords ?? []) {
        const key = keyword.toLowerCase();
        words.add(key);
        const opened = this.byKeyword.get(key) ?? [];
        if (!opened.includes(rule)) opened.push(rule);
        this.byKeyword.set(key, opened);
      }
      if (rule.anchored) this.sticky.set(rule, new RegExp(rule.pattern.source, `${rule.pattern.flags.replace('g', '')}y`));
    }
    // Longest first, so `sk-ant-` wins over `sk-` where both start.
    const alternatives = [...words].sort((a, b) => b.length - a.length).map(escape);
    this.keywords = alternatives.length ? new RegExp(alternatives.join('|'), 'gi') : null;
    this.unkeyed = rules.filter((rule) => !rule.keywords?.length);
  }

  /** Every rule's matches in `text`, in order, overlaps dropped (the first, longest one kept). */
  scan(text: string): Finding[] {
    let found: Finding[] | undefined;
    const add = (rule: Rule, match: RegExpExecArray | RegExpMatchArray) => {
      const secret = rule.group === undefined ? match[0] : match[rule.group];
      if (!secret || (rule.accept && !rule.accept(secret))) return;
      const start = (match.index ?? 0) + (rule.group === undefined ? 0 : match[0].indexOf(secret));
      (found ??= []).push({ rule: rule.id, start, end: start + secret.length });
    };
    const scanWhole = (rule: Rule) => {
      rule.pattern.lastIndex = 0;
      for (const match of text.matchAll(rule.pattern)) add(rule, match);
    };

    if (this.keywords) {
      const opened = new Set<Rule>();
      const re = this.keywords;
      re.lastIndex = 0;
      for (let hit = re.exec(text); hit; hit = re.exec(text)) {
        for (const rule of this.byKeyword.get(hit[0].toLowerCase()) ?? []) {
          const sticky = this.sticky.get(rule);
          if (!sticky) {
            opened.add(rule);
            continue;
          }
          sticky.lastIndex = hit.index;
          const match = sticky.exec(text);
          if (match) add(rule, match);
        }
      }
      for (const rule of opened) scanWhole(rule);
    }
    for (const rule of this.unkeyed) if (!rule.prefilter || rule.prefilter.test(text)) scanWhole(rule);

    if (!found) return [];
    found.sort((a, b) => a.start - b.start || b.end - a.end);
    const kept: Finding[] = [];
    for (const finding of found) {
      const last = kept[kept.length - 1];
      if (!last || finding.start >= last.end) kept.push(finding);
    }
    return kept;
  }
}

/** The text with each finding replaced by `[redacted:<rule>]`. */
export function redactFindings(text: string, findings: readonly Finding[]): string {
  if (findings.length === 0) return text;
  let out = '';
  let at = 0;
  for (const finding of findings) {
    out += `${text.slice(at, finding.start)}[redacted:${finding.rule}]`;
    at = finding.end;
  }
  return out + text.slice(at);
}
