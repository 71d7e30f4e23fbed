// Everything the catalog knows, in one module the catalog imports on first need: prices
// (genai-prices) and models.dev metadata are most of an idle server's heap otherwise.
export { findCatalogPrice, listCatalogModels } from './genaiPrices';
export { findMetadata } from './metadata';
