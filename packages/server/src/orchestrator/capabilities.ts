import type { ChatRequest } from '@aiu/core';
import type { ModelCatalog } from '../catalog/catalog';
import type { Capability, ProviderTool } from '../providers/types';
import type { Target } from './target';

/** What a request asks of a model beyond text. */
export function capabilitiesNeeded(request: ChatRequest, tools: readonly ProviderTool[]): Capability[] {
  const needs = new Set<Capability>();
  for (const message of request.messages) {
    if (message.role !== 'user' || typeof message.content === 'string') continue;
    for (const part of message.content) {
      if (part.type === 'image') needs.add('images');
      else if (part.type === 'file') needs.add('files');
    }
  }
  if (tools.length && request.toolChoice !== 'none') needs.add('tools');
  if (request.responseFormat?.type === 'json') needs.add(request.responseFormat.schema ? 'json-schema' : 'json');
  if (request.options?.reasoning) needs.add('reasoning');
  return [...needs];
}

const WHAT: Record<Capability, string> = {
  images: 'images',
  files: 'files',
  tools: 'tools',
  'json-schema': 'a JSON schema (structured output)',
  json: 'JSON output',
  reasoning: 'reasoning options',
};

/**
 * The catalog's word for each need (models.dev's flags). A need without one is the provider's API
 * to judge: models.dev marks structured output on too few models for its absence to mean anything.
 */
const CATALOG: Partial<Record<Capability, readonly string[]>> = {
  images: ['vision'],
  files: ['pdf', 'attachments'],
  tools: ['tools'],
};

/**
 * Why a target cannot take the request, or undefined if it can: what its provider's API lacks,
 * then what the catalog knows the model lacks. A model the catalog does not know is given the benefit
 * of the doubt (the provider answers for itself).
 */
export function cannotHonour(target: Target, needs: readonly Capability[], catalog: ModelCatalog): { capability: Capability; reason: string } | undefined {
  if (!needs.length) return undefined;
  for (const need of needs) {
    if (target.provider.unsupported?.includes(need)) return { capability: need, reason: `${target.provider.id} does not take ${WHAT[need]}.` };
  }
  const known = catalog.capabilitiesOf(target.provider.id, target.request.model);
  if (!known) return undefined;
  for (const need of needs) {
    const flags = CATALOG[need];
    if (flags && !flags.some((flag) => known.includes(flag))) return { capability: need, reason: `${target.modelId} does not take ${WHAT[need]}.` };
  }
  return undefined;
}
