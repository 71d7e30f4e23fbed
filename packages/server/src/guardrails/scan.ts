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
 * single expression over the keyed rules' keywords (a stray hit only costs a look). A rule's own
 * pattern then runs only if one of its keywords appeared — an anchored one only at those places.
 * Rules without keywords (the generic `password = …` rule, whose words are common) make one pass
 * of their own. Measured in bench/guardrails.ts.
 */
export class Scanner {
  /**
   * Keywords of case-sensitive rules, found case-sensitively (a key's prefix has one spelling:
   * `AKIA`, `ghp_`), and of case-insensitive ones (`password`), found either way. One
   * case-insensitive expression over both costs more than the two: it tries every spelling of
   * every prefix at every position.
   */
  private readonly keywords: RegExp[];
  /** Keyword (lower-cased for case-insensitive rules) → the rules it opens. */
  private readonly byKeyword = new Map<string, Rule[]>();
  private readonly foldsCase = new Set<RegExp>();
  private readonly sticky = new Map<Rule, RegExp>();
  private readonly unkeyed: Rule[];

  constructor(rules: readonly Rule[]) {
    const exact = new Set<string>();
    const folded = new Set<string>();
    for (const rule of rules) {
      const ignoreCase = rule.pattern.flags.includes('i');
      for (const keyword of rule.keywords ?? []) {
        const key = ignoreCase ? keyword.toLowerCase() : keyword;
        (ignoreCase ? folded : exact).add(key);
        const opened = this.byKeyword.get(key) ?? [];
        if (!opened.includes(rule)) opened.push(rule);
        this.byKeyword.set(key, opened);
      }
      if (rule.anchored) this.sticky.set(rule, new RegExp(rule.pattern.source, `${rule.pattern.flags.replace('g', '')}y`));
    }
    // Longest first, so `sk-ant-` wins over `sk-` where both start.
    const alternation = (words: Set<string>) => [...words].sort((a, b) => b.length - a.length).map(escape).join('|');
    this.keywords = [];
    if (exact.size) this.keywords.push(new RegExp(alternation(exact), 'g'));
    if (folded.size) {
      const re = new RegExp(alternation(folded), 'gi');
      this.foldsCase.add(re);
      this.keywords.push(re);
    }
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

    const opened = new Set<Rule>();
    for (const re of this.keywords) {
      const fold = this.foldsCase.has(re);
      re.lastIndex = 0;
      for (let hit = re.exec(text); hit; hit = re.exec(text)) {
        for (const rule of this.byKeyword.get(fold ? hit[0].toLowerCase() : hit[0]) ?? []) {
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
    }
    for (const rule of opened) scanWhole(rule);
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
