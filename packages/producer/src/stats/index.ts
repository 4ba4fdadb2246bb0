export { computeStats, type AgentStats, type ComputeStatsOptions, type Stats, type ToolStats } from './compute-stats.js';
export { collectStats, type CollectStatsOptions } from './collect-stats.js';
export { formatStats } from './format-stats.js';
export { parseDuration } from './parse-duration.js';
export { percentile } from './percentile.js';
