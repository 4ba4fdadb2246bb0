/** Every benchmark by name; each returns a JSON-able result with its baseline measured in the same run. */
export const BENCHMARKS: Record<string, () => Promise<Record<string, unknown>>> = {};
