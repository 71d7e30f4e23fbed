// Written by scripts/stamp-price-data.mjs; a test fails when it no longer matches the installed package.
import type { PriceData } from '@aiu/core';

export const PRICE_DATA: PriceData = { source: '@pydantic/genai-prices', version: '0.1.8', releasedAt: '2026-09-23' };
