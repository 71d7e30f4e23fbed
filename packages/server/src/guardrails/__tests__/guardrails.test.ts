import { ErrorBodySchema, LogPageSchema, StartEventSchema } from '@aiu/core';
import { afterEach, describe, expect, it } from 'vitest';
import { chatRequest, createRig, issueClientKey, type TestRig } from '../../../test/helpers';
import type { AiuOptions } from '../../createAiu';
import { PII_RULES, SECRET_RULES } from '../rules';
import { Scanner } from '../scan';

const scan = (text: string, rules: typeof SECRET_RULES) => new Scanner(rules).scan(text);

// Realistic shapes of each kind of secret (made up; none is a live credential).
const SECRETS: Record<string, string> = {
  'openai-api-key': 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z',
  'anthropic-api-key': 'sk-ant-api03-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_AbCd',
  'aws-access-token': 'AKIAIOSFODNN7EXAMPLQ',
  'github-pat': 'ghp_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z0123',
  'slack-token': 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUv',
  'stripe-access-token': 'sk_live_4eC39HqLyjWDarjtT1zdp7dc',
  'gcp-api-key': 'AIzaSyA-1234567890abcdefghijklmnopqrstu',
  'azure-ad-client-secret': ' abc8Q~Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z0 ',
  'private-key': `-----BEGIN RSA PRIVATE KEY-----\n${'MIIEowIBAAKCAQEA'.repeat(6)}\n-----END RSA PRIVATE KEY-----`,
  jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
  'generic-secret': 'db_password = "Xq9!vR2#mT7$wL4p"',
};

const messages = (content: string) => [{ role: 'user' as const, content }];

let rig: TestRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function start(options: Partial<AiuOptions> = {}): Promise<TestRig> {
  rig = await createRig({ logBodies: true, ...options });
  return rig;
}

async function lastEntry(target: TestRig) {
  const page = LogPageSchema.parse(await (await target.aiu.handler(new Request('http://localhost/api/aiu/logs'), { clientAddress: '127.0.0.1' })).json());
  return page.entries[0];
}

describe('the rule set', () => {
  it.each(Object.entries(SECRETS))('finds %s', (rule, text) => {
    expect(scan(`before ${text} after`, SECRET_RULES).map((finding) => finding.rule)).toContain(rule);
  });

  it('leaves ordinary prose, code and low-entropy "passwords" alone', () => {
    const prose = 'The token economy of the game uses a secret ingredient. password: changeme. function sk() { return 42; } ' + 'lorem ipsum '.repeat(200);
    expect(scan(prose, SECRET_RULES)).toEqual([]);
  });

  it('PII: emails, phone numbers, and card numbers only when the Luhn check passes', () => {
    const found = scan('mail ada@example.org, call +44 20 7946 0958, card 4111 1111 1111 1111, not 4111 1111 1111 1112', PII_RULES);
    expect(found.map((f) => f.rule)).toEqual(['email', 'phone-number', 'card-number']);
  });
});

describe('guardrails on /chat and the compatible endpoints', () => {
  it('redacts secrets before the call leaves by default, says so in start, and logs the decision', async () => {
    const target = await start();
    const prompt = `Use ${SECRETS['aws-access-token']} and ${SECRETS['openai-api-key']} to deploy.`;
    const response = await target.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages: messages(prompt) }));
    const text = await response.text();
    const startEvent = StartEventSchema.parse(JSON.parse(text.split('\n')[1]?.slice('data: '.length) ?? '{}'));
    expect(startEvent.warnings).toEqual([
      'Redacted what the "aws-access-token" guardrail matched in message 0.',
      'Redacted what the "openai-api-key" guardrail matched in message 0.',
    ]);
    const sent = JSON.stringify(target.upstream.requests[0]?.body);
    expect(sent).toContain('Use [redacted:aws-access-token] and [redacted:openai-api-key] to deploy.');
    for (const secret of [SECRETS['aws-access-token'], SECRETS['openai-api-key']]) {
      expect(sent).not.toContain(secret);
      expect(text).not.toContain(secret);
    }
    const entry = await lastEntry(target);
    expect(entry?.guardrails).toEqual([
      { rule: 'aws-access-token', action: 'redact', where: 'prompt', message: 0 },
      { rule: 'openai-api-key', action: 'redact', where: 'prompt', message: 0 },
    ]);
    expect(entry?.prompt).not.toContain('AKIA');
  });

  it('blocks with 400 guardrail_blocked naming the rule and message, never the match; the refusal is logged; nothing reaches the provider', async () => {
    const target = await start({ guardrails: { secrets: 'block' } });
    const body = { model: 'openai:gpt-4.1-nano', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: `key: ${SECRETS['github-pat']}` }], stream: false };
    const response = await target.aiu.handler(chatRequest(body));
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(ErrorBodySchema.parse(JSON.parse(text)).error).toMatchObject({ code: 'guardrail_blocked', details: { rule: 'github-pat', message: 1 } });
    expect(text).not.toContain('ghp_');
    expect(target.upstream.requests).toHaveLength(0);
    expect(await lastEntry(target)).toMatchObject({ status: 'error', errorCode: 'guardrail_blocked' });

    // The same refusal in OpenAI's and Anthropic's own error shapes.
    const { key } = await issueClientKey(target.aiu);
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
    const openai = await target.aiu.handler(new Request('http://localhost/api/aiu/v1/chat/completions', { method: 'POST', headers, body: JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: body.messages }) }));
    expect(openai.status).toBe(400);
    expect(((await openai.json()) as { error: { code: string } }).error.code).toBe('guardrail_blocked');
    const anthropic = await target.aiu.handler(new Request('http://localhost/api/aiu/v1/messages', { method: 'POST', headers, body: JSON.stringify({ model: 'openai:gpt-4.1-nano', max_tokens: 10, messages: [{ role: 'user', content: `key: ${SECRETS['github-pat']}` }] }) }));
    expect(anthropic.status).toBe(400);
    expect(((await anthropic.json()) as { type: string; error: { type: string } }).type).toBe('error');
    expect(target.upstream.requests).toHaveLength(0);
  });

  it('flag lets the prompt through untouched and records the decision; per-rule actions override the set', async () => {
    const target = await start({ guardrails: { secrets: { action: 'flag', rules: { jwt: 'redact' } } } });
    await (await target.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages: messages(`${SECRETS['stripe-access-token']} ${SECRETS.jwt}`), stream: false }))).text();
    const sent = JSON.stringify(target.upstream.requests[0]?.body);
    expect(sent).toContain(SECRETS['stripe-access-token']);
    expect(sent).not.toContain(SECRETS.jwt);
    const entry = await lastEntry(target);
    expect(entry?.guardrails).toEqual([
      { rule: 'stripe-access-token', action: 'flag', where: 'prompt', message: 0 },
      { rule: 'jwt', action: 'redact', where: 'prompt', message: 0 },
    ]);
    // Logged bodies are redacted by every rule, whatever its action.
    expect(entry?.prompt).toContain('[redacted:stripe-access-token]');
    expect(entry?.prompt).not.toContain('sk_live_');
  });

  it('off sends the prompt as it is, but the logged body is still redacted', async () => {
    const target = await start({ guardrails: { secrets: 'off' } });
    await (await target.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages: messages(`token ${SECRETS['slack-token']}`), stream: false }))).text();
    expect(JSON.stringify(target.upstream.requests[0]?.body)).toContain(SECRETS['slack-token']);
    const entry = await lastEntry(target);
    expect(entry?.guardrails).toEqual([]);
    expect(entry?.prompt).not.toContain('xoxb-');
  });

  it('PII is opt-in; custom checks run on every prompt text and block by default', async () => {
    const target = await start({
      guardrails: {
        pii: 'redact',
        custom: [(text) => (/project aurora/i.test(text) ? [{ rule: 'codename' }] : null)],
      },
    });
    await (await target.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages: messages('Write to ada@example.org'), stream: false }))).text();
    expect(JSON.stringify(target.upstream.requests[0]?.body)).toContain('Write to [redacted:email]');
    const blocked = await target.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages: messages('Status of Project Aurora?'), stream: false }));
    expect(blocked.status).toBe(400);
    expect(ErrorBodySchema.parse(await blocked.json()).error.details).toEqual({ rule: 'codename', message: 0 });
  });

  it('checks tool results and tool inputs sent back to the model', async () => {
    const target = await start({ guardrails: { secrets: 'block' } });
    const response = await target.aiu.handler(
      chatRequest({
        model: 'openai:gpt-4.1-nano',
        stream: false,
        messages: [
          { role: 'user', content: 'What is in the env?' },
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'env', input: {} }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'env', output: { AWS_KEY: SECRETS['aws-access-token'] } }] },
        ],
      }),
    );
    expect(response.status).toBe(400);
    expect(ErrorBodySchema.parse(await response.json()).error.details).toEqual({ rule: 'aws-access-token', message: 2 });
  });

  it('flags answers when asked to (the recording’s answer holds no secret: nothing flagged)', async () => {
    const target = await start({ guardrails: { answers: 'flag', pii: 'flag' } });
    await (await target.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages: messages('hi'), stream: false }))).text();
    expect((await lastEntry(target))?.guardrails).toEqual([]);
  });

  it('refuses a misspelled rule or action at startup', async () => {
    await expect(createRig({ guardrails: { secrets: { rules: { 'aws-key': 'block' } } } })).rejects.toThrow(/guardrails\.secrets\.rules\.aws-key is not a rule/);
    await expect(createRig({ guardrails: { pii: 'redacted' as never } })).rejects.toThrow(/guardrails\.pii: Invalid option: expected one of "block"\|"redact"\|"flag"\|"off"/);
  });
});
