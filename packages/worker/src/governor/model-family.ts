/**
 * The rate-limit family of a model: the API sets limits per model class (e.g. every Sonnet 4.x shares one),
 * so `claude-sonnet-4-6` and `claude-sonnet-4-5-20250929` share `sonnet-4`, while `claude-3-5-haiku-latest`
 * is `haiku-3`. A name that matches no known tier is its own family.
 */
export function modelFamily(model: string): string {
  const name = model.toLowerCase();
  const tier = /(opus|sonnet|haiku|fable|mythos)/.exec(name)?.[1];
  if (!tier) return name.replace(/[^a-z0-9._-]/g, '_').slice(0, 64) || 'unknown';
  const major = /claude-(\d+)/.exec(name)?.[1] ?? new RegExp(`${tier}-(\\d+)`).exec(name)?.[1];
  return major ? `${tier}-${major}` : tier;
}
