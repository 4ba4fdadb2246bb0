/**
 * What a windowed step calibrates its token estimates with: the previous step's model call, as the estimate of
 * the prompt it sent and the input tokens the API reported for it. The model checkpoint writes it into the
 * session's memory hash (saveModelTurn-5.lua), which the next step's load reads anyway, so it costs that step
 * no read. Two fields, by step parity: a retried step still finds the step before its own.
 */
export interface TokenCalibration {
  /** Estimated tokens of the prompt the call was sent. */
  estimate: number;
  /** Input tokens the API reported for it (uncached, cache reads and cache writes). */
  reported: number;
}

/** The memory-hash field a step's calibration is kept in. */
export function calibrationField(step: number): string {
  return `calibration:${step % 2}`;
}

export function calibrationValue(step: number, calibration: TokenCalibration): string {
  return `${step}:${calibration.estimate}:${calibration.reported}`;
}

/** The calibration step `step` left in a memory hash (as HGETALL returns it), if it left one. */
export function calibrationOf(memory: Record<string, string>, step: number): TokenCalibration | undefined {
  const [at, estimate, reported] = (memory[calibrationField(step)] ?? '').split(':').map(Number);
  if (at !== step || estimate === undefined || reported === undefined || !(estimate > 0) || !(reported >= 0)) return undefined;
  return { estimate, reported };
}
