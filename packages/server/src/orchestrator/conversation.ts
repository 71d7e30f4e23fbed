import type { AssistantMessage, ChatMessage, ProviderMetadata, ToolApprovalResponsePart, ToolCallPart, ToolResultPart } from '@aiu/core';

/** A server tool call the client answered: approved to run, or denied. */
export interface ApprovalAnswer {
  call: ToolCallPart;
  approved: boolean;
  reason: string | undefined;
}

/** What one model step produced, as the next step's assistant turn needs it. */
export interface StepOutput {
  reasoning: Array<{ text: string; providerMetadata?: ProviderMetadata | undefined }>;
  text: string;
  toolCalls: ToolCallPart[];
}

/**
 * The conversation as steps send it: approval answers taken out (providers know nothing of them)
 * and answered by tool results, then each step's assistant turn and its tool results appended.
 */
export class Conversation {
  readonly messages: ChatMessage[];
  /** Approval answers for calls that have no result yet, in order. */
  readonly approvals: ApprovalAnswer[];

  constructor(messages: readonly ChatMessage[]) {
    const answered = new Set<string>();
    const calls = new Map<string, ToolCallPart>();
    const answers: ToolApprovalResponsePart[] = [];
    for (const message of messages) {
      if (message.role === 'assistant' && typeof message.content !== 'string') {
        for (const part of message.content) if (part.type === 'tool-call') calls.set(part.toolCallId, part);
      } else if (message.role === 'tool') {
        for (const part of message.content) {
          if (part.type === 'tool-result') answered.add(part.toolCallId);
          else answers.push(part);
        }
      }
    }
    this.approvals = answers.flatMap((answer) => {
      const call = calls.get(answer.toolCallId);
      return call && !answered.has(answer.toolCallId) ? [{ call, approved: answer.approved, reason: answer.reason }] : [];
    });
    this.messages = messages.flatMap((message): ChatMessage[] => {
      if (message.role !== 'tool') return [message];
      const results = message.content.filter((part) => part.type === 'tool-result');
      return results.length ? [{ role: 'tool', content: results }] : [];
    });
  }

  /** Results for calls made in an earlier turn (the approved ones run, the denied ones refused), after that turn. */
  answerApprovals(results: ToolResultPart[]): void {
    if (!results.length) return;
    const ids = new Set(results.map((result) => result.toolCallId));
    const turn = this.messages.findLastIndex((message) => message.role === 'assistant' && typeof message.content !== 'string' && message.content.some((part) => part.type === 'tool-call' && ids.has(part.toolCallId)));
    const next = this.messages[turn + 1];
    if (next?.role === 'tool') next.content = [...next.content, ...results];
    else this.messages.splice(turn + 1, 0, { role: 'tool', content: results });
  }

  /** A step's output as the assistant's turn, then the results of its tools. */
  addStep(output: StepOutput, results: ToolResultPart[]): void {
    const content: Exclude<AssistantMessage['content'], string> = [];
    for (const piece of output.reasoning) content.push({ type: 'reasoning', text: piece.text, ...(piece.providerMetadata ? { providerMetadata: piece.providerMetadata } : {}) });
    if (output.text) content.push({ type: 'text', text: output.text });
    content.push(...output.toolCalls);
    this.messages.push({ role: 'assistant', content });
    if (results.length) this.messages.push({ role: 'tool', content: results });
  }
}
