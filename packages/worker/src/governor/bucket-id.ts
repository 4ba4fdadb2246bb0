import { createHash } from 'node:crypto';
import { modelFamily } from './model-family.js';

/**
 * Identifies one set of rate-limit buckets: every worker sharing an API key shares its limits, per model
 * family. The key itself never reaches Redis, only a truncated sha256 of it.
 */
export function governorBucketId(apiKey: string, model: string): string {
  const keyHash = createHash('sha256').update(apiKey).digest('hex').slice(0, 16);
  return `${keyHash}:${modelFamily(model)}`;
}
