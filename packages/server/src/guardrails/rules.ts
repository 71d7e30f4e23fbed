/**
 * What the guardrails look for. The secret patterns are gitleaks' (github.com/gitleaks/gitleaks,
 * config/gitleaks.toml, MIT): the most widely maintained open rule set for credentials, kept
 * current with providers' key formats. It is Go data, not a JavaScript library, so the rules
 * aiu needs are carried here, each with gitleaks' id and the keywords gitleaks prefilters on.
 * Some are loosened where gitleaks insists on a checksum-bearing tail (OpenAI's `T3BlbkFJ`,
 * Anthropic's `AA`): a prompt holding a truncated key still holds a secret.
 */
export interface Rule {
  /** Stable name, reported in errors, warnings and the log (`aws-access-token`). */
  id: string;
  /** Substrings (as written) one of which any match contains: a text without them is not scanned. */
  keywords?: readonly string[];
  /** Instead of keywords: a quick test a text must pass to be scanned. */
  prefilter?: RegExp;
  /** The pattern starts where its keyword does: it is tried only at each keyword found (sticky), never over the whole text. */
  anchored?: boolean;
  pattern: RegExp;
  /** The capture group that is the secret itself (default: the whole match). */
  group?: number;
  /** A second check on the secret: entropy, Luhn. */
  accept?: (secret: string) => boolean;
}

/** Shannon entropy of a string, in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** The Luhn checksum every payment card number passes. */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (d < 0 || d > 9) continue;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export const SECRET_RULES: readonly Rule[] = [
  { id: 'anthropic-api-key', keywords: ['sk-ant-'], anchored: true, pattern: /\bsk-ant-(?:api|admin)\d{2}-[\w-]{20,}/g },
  { id: 'openai-api-key', keywords: ['sk-'], anchored: true, pattern: /\bsk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}/g },
  { id: 'aws-access-token', keywords: ['A3T', 'AKIA', 'ASIA', 'ABIA', 'ACCA'], anchored: true, pattern: /\b(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}\b/g },
  { id: 'github-pat', keywords: ['ghp_'], anchored: true, pattern: /\bghp_[0-9a-zA-Z]{36}\b/g },
  { id: 'github-fine-grained-pat', keywords: ['github_pat_'], anchored: true, pattern: /\bgithub_pat_\w{82}\b/g },
  { id: 'github-oauth', keywords: ['gho_', 'ghu_', 'ghs_', 'ghr_'], anchored: true, pattern: /\bgh[ousr]_[0-9a-zA-Z]{36}\b/g },
  { id: 'slack-token', keywords: ['xox'], anchored: true, pattern: /\bxox[baprse]-(?:\d+-)?[0-9A-Za-z-]{10,}/g },
  { id: 'slack-webhook-url', keywords: ['hooks.slack.com'], pattern: /https?:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9+/]{43,56}/g },
  { id: 'stripe-access-token', keywords: ['sk_', 'rk_'], anchored: true, pattern: /\b(?:sk|rk)_(?:test|live|prod)_[a-zA-Z0-9]{10,99}\b/g },
  { id: 'gcp-api-key', keywords: ['AIza'], anchored: true, pattern: /\bAIza[\w-]{35}\b/g },
  { id: 'google-oauth-client-secret', keywords: ['GOCSPX-'], anchored: true, pattern: /\bGOCSPX-[\w-]{28}\b/g },
  { id: 'azure-ad-client-secret', keywords: ['Q~'], pattern: /(?:^|[\\'"`\s>=:(,)])([a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{31,34})(?=$|[\\'"`\s<),])/g, group: 1 },
  { id: 'azure-storage-key', keywords: ['AccountKey='], pattern: /AccountKey=[A-Za-z0-9+/]{86}==/g },
  {
    id: 'private-key',
    keywords: ['PRIVATE KEY'],
    pattern: /-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----[\s\S]{64,}?-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----/g,
  },
  { id: 'jwt', keywords: ['eyJ'], anchored: true, pattern: /\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}={0,2}/g },
  {
    // gitleaks' generic-api-key: a high-entropy value right after a word that names a secret.
    // No keywords: its words (token, secret, auth) are everywhere in prose and code, so finding
    // them first and trying the pattern at each costs more than the one pass of the pattern itself
    // (bench/guardrails.ts: 38–40 µs → 20–24 µs per 10 kB).
    id: 'generic-secret',
    pattern: /(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth)[\w.-]{0,20}["']?\s{0,3}(?:=|:|=>|\bis\b)\s{0,3}["']?([^\s"'`,;]{12,})/gi,
    group: 1,
    accept: (secret) => entropy(secret) >= 3.5,
  },
];

export const PII_RULES: readonly Rule[] = [
  { id: 'email', keywords: ['@'], pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b/g },
  {
    // 13–19 digits in groups (spaces or dashes), and a valid Luhn checksum (which skips the separators).
    id: 'card-number',
    prefilter: /\d{4}/,
    pattern: /\b\d(?:[ -]?\d){12,18}\b/g,
    accept: (digits) => luhn(digits),
  },
  {
    // International (+…) or national numbers of 10–13 digits in the usual groupings.
    id: 'phone-number',
    prefilter: /\d{3}/,
    // Not part of a longer run of digit groups (a card number, an id).
    pattern: /(?<![\d][ .-]?)(?:\+\d{1,3}[ .-]?)?(?:\(\d{1,4}\)[ .-]?)?\b\d{2,4}[ .-]\d{3,4}[ .-]\d{3,4}\b(?![ .-]?\d)/g,
  },
];
