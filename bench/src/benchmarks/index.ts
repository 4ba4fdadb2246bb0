import { approvals } from './approvals.js';
import { cluster } from './cluster.js';
import { durability } from './durability.js';
import { fairness } from './fairness.js';
import { governor } from './governor.js';
import { memory } from './memory.js';

/** Every benchmark by name; each returns a JSON-able result with its baseline measured in the same run. */
export const BENCHMARKS: Record<string, () => Promise<Record<string, unknown>>> = {};
BENCHMARKS.approvals = approvals;
BENCHMARKS.cluster = cluster;
BENCHMARKS.durability = durability;
BENCHMARKS.fairness = fairness;
BENCHMARKS.governor = governor;
BENCHMARKS.memory = memory;
