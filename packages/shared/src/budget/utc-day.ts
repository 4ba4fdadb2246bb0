/** The UTC day a tenant's daily budget is counted in, `YYYY-MM-DD`. */
export function utcDay(now: number = Date.now()): string {
  return new Date(now).toISOString().slice(0, 10);
}
