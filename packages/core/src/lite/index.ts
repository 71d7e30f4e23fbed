// `@aiu/core/lite`: what a browser needs from @aiu/core, without zod. The wire schemas clients
// parse with are compiled from the zod ones (same names, same `safeParse`/`parse` results), so
// @aiu/react checks every response at a fraction of zod's weight. Types come from `@aiu/core`.
export * from './schemas.generated';
export { compile, LiteParseError, type Check, type Issue, type LiteSchema, type Primitive, type SafeParseResult, type Shape } from './compile';
export * from '../errors';
export { parseModelId, formatModelId, type ModelId } from '../modelId';
export { createUsage, EMPTY_USAGE, type UsageParts } from '../usage';
export { computeCost, costFromReportedTotal, priceUsage, selectPriceTier, type PricedUsage } from '../cost';
