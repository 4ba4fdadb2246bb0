import { z } from 'zod';

/** Risk tiers in ascending order. Compare them with {@link riskRank}, never as strings ('high' < 'low' alphabetically). */
export const RISK_LEVELS = ['safe', 'low', 'medium', 'high'] as const;
export const Risk = z.enum(RISK_LEVELS);
export type Risk = z.infer<typeof Risk>;

export function riskRank(risk: Risk): number {
  return RISK_LEVELS.indexOf(risk);
}

/** True when `risk` is strictly above `ceiling`. */
export function riskExceeds(risk: Risk, ceiling: Risk): boolean {
  return riskRank(risk) > riskRank(ceiling);
}

export function maxRisk(a: Risk, b: Risk): Risk {
  return riskRank(a) >= riskRank(b) ? a : b;
}
