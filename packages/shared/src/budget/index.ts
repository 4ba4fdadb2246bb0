export { costMicroUsd, DEFAULT_PRICES, priceFor, type ModelPrice, type TokenCounts } from './price-table.js';
