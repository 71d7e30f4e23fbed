import type { ModelInfo, ModelPricing } from '@aiu/core';
import type { ModelMetadata } from './metadata';

/** Local inference has no per-token bill: Ollama's price is a real 0, not an unknown. */
const FREE: ModelPricing = { input: 0, output: 0 };
const FREE_PROVIDERS = new Set(['ollama']);

const EMBEDDING = /embed/i;

/**
 * Models a provider lists that no aiu route can call: other APIs (realtime, speech, transcription,
 * audio in and out, images, moderation, computer use), the legacy completions-only models, and
 * fine-tune stubs that name no model. Listing them as chat models only offers a failing call.
 */
const NOT_SERVABLE = /realtime|transcribe|whisper|(^|[-.])tts($|[-.])|(^|-)audio($|-)|^gpt-audio|^gpt-image|^chatgpt-image|^dall-e|moderation|^computer-use|^(babbage|davinci|ada|curie)(-\d+)?$|^text-(davinci|curie|babbage|ada)|^sora|^gpt-3\.5-turbo-instruct|(^ft:|[.:-]ft-|-ft$)/i;
/** OpenAI's retired dated snapshots (`gpt-3.5-turbo-0301`, `gpt-4-0613`): kept for old logs, offered as deprecated. */
const RETIRED_SNAPSHOT = /-(0301|0314|0613|1106|0125)(-preview)?$/;

/** A dated snapshot's name says its date, so it is not mistaken for the model it pins (`GPT-4.1 nano (2025-04-14)`). */
function withSnapshot(id: string, name: string): string {
  const date = /-(\d{4}-\d{2}-\d{2})$/.exec(id)?.[1];
  return date && !name.includes(date) ? `${name} (${date})` : name;
}

/** Whether a model is one aiu can serve (see `NOT_SERVABLE`); a model whose known output has no text is not. */
export function isServable(model: ModelInfo): boolean {
  const name = model.id.slice(model.provider.length + 1);
  if (NOT_SERVABLE.test(name)) return false;
  const output = model.modalities?.output;
  return model.kind === 'embed' || !output || output.includes('text');
}
const MINUTE = 60_000;

type CatalogData = typeof import('./data');

/**
 * The maintained catalog: prices from genai-prices (current, tiered, with history),
 * metadata from models.dev. Results are memoised per model id (prices, per minute).
 *
 * Both are loaded on first need (`load()`, which calls and /models await): together they
 * are a fifth of an idle server's memory, and a process that only serves logs, usage or
 * exports never needs them.
 */
export class ModelCatalog {
  private readonly prices = new Map<string, { minute: number; price: ModelPricing | null }>();
  private data: CatalogData | undefined;
  private loading: Promise<void> | undefined;

  /** Resolves once prices can be looked up; cheap after the first time. */
  load(): Promise<void> {
    this.loading ??= import('./data').then((module) => {
      this.data = module;
    });
    return this.loading;
  }

  get loaded(): boolean {
    return this.data !== undefined;
  }

  /**
   * The price in force now. Prices change with the date (scheduled changes) and, for some
   * providers, the time of day (DeepSeek's off-peak discount); every boundary genai-prices
   * knows falls on a whole minute, so a price is memoised for the minute it was found in.
   */
  price(provider: string, model: string): ModelPricing | null {
    if (FREE_PROVIDERS.has(provider)) return FREE;
    const id = `${provider}:${model}`;
    const now = Date.now();
    const minute = Math.floor(now / MINUTE);
    const cached = this.prices.get(id);
    if (cached && cached.minute === minute) return cached.price;
    const price = this.loadedData('price').findCatalogPrice(provider, model, new Date(now))?.pricing ?? null;
    if (this.prices.size > 5000) this.prices.clear();
    this.prices.set(id, { minute, price });
    return price;
  }

  /** Every catalog model of the given providers. */
  list(providers: string[]): ModelInfo[] {
    const data = this.loadedData('list');
    return providers.flatMap((provider) =>
      data.listCatalogModels(provider).map((entry) => {
        const info = describe(provider, entry.id, data.findMetadata(`${provider}:${entry.id}`));
        return {
          ...info,
          // models.dev's names where it has one ("GPT-4o mini"), so every provider reads alike.
          name: withSnapshot(entry.id, info.name !== entry.id ? info.name : (entry.name ?? info.name)),
          contextWindow: entry.contextWindow ?? info.contextWindow,
          pricing: entry.pricing,
          deprecated: entry.deprecated || RETIRED_SNAPSHOT.test(entry.id),
        };
      }),
    );
  }

  /** The providers among `providers` whose catalog lists `model` (their own name for it) as a model of `kind`. */
  providersOffering(model: string, providers: string[], kind: 'chat' | 'embed'): string[] {
    const data = this.loadedData('providersOffering');
    return providers.filter((provider) => data.listCatalogModels(provider).some((entry) => entry.id === model) && describe(provider, model, data.findMetadata(`${provider}:${model}`)).kind === kind);
  }

  /** What the catalog knows a model can do (`tools`, `vision`, `pdf`, `structured-output`…), or undefined when it knows nothing of it. */
  capabilitiesOf(provider: string, model: string): string[] | undefined {
    if (!this.data) return undefined;
    return this.data.findMetadata(`${provider}:${model}`)?.capabilities;
  }

  /** Metadata for a model a provider listed itself (prices are filled in by the caller). */
  describe(provider: string, model: string): ModelInfo {
    return describe(provider, model, this.loadedData('describe').findMetadata(`${provider}:${model}`));
  }

  private loadedData(caller: string): CatalogData {
    if (!this.data) throw new Error(`ModelCatalog.${caller}() before load()`);
    return this.data;
  }
}

function describe(provider: string, model: string, meta: ModelMetadata | undefined): ModelInfo {
  const embed = EMBEDDING.test(model) || meta?.modalities.output.includes('embeddings') === true;
  return {
    id: `${provider}:${model}`,
    provider,
    name: withSnapshot(model, meta?.name ?? model),
    kind: embed ? 'embed' : 'chat',
    contextWindow: meta?.contextWindow ?? null,
    maxOutput: meta?.maxOutput ?? null,
    pricing: null,
    capabilities: meta?.capabilities ?? [],
    deprecated: RETIRED_SNAPSHOT.test(model),
    ...(meta?.modalities ? { modalities: meta.modalities } : {}),
    releaseDate: meta?.releaseDate ?? null,
  };
}
