const CENSOR = '[redacted]';

/** Key names whose values are secrets wherever they appear (compared lower-case, without `-`/`_`). */
const SECRET_KEYS = new Set([
  'apikey',
  'xapikey',
  'authorization',
  'proxyauthorization',
  'anthropicapikey',
  'token',
  'accesstoken',
  'refreshtoken',
  'password',
  'secret',
  'clientsecret',
  'cookie',
  'setcookie',
]);

/** Anthropic keys (`sk-ant-…`) wherever they appear in a string. */
const API_KEY_PATTERN = /sk-ant-[A-Za-z0-9_-]{8,}/g;
/** Credentials after an HTTP auth scheme, e.g. a pasted `Authorization` header. */
const AUTH_SCHEME_PATTERN = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi;

const MAX_DEPTH = 8;

function normalise(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

function scrubString(value: string): string {
  return value.replace(API_KEY_PATTERN, CENSOR).replace(AUTH_SCHEME_PATTERN, (_match, scheme: string) => `${scheme} ${CENSOR}`);
}

/**
 * A copy of `value` with secret-named keys censored and key-shaped strings masked, at any depth up to a
 * bound. Objects that need no change are returned as they are, so a clean log line costs only the walk.
 */
export function scrubSecrets(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubString(value);
  if (depth >= MAX_DEPTH || typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) {
    const copy: Record<string, unknown> = { type: value.name, message: scrubString(value.message) };
    if (value.stack) copy.stack = scrubString(value.stack);
    for (const [key, inner] of Object.entries(value)) copy[key] = SECRET_KEYS.has(normalise(key)) ? CENSOR : scrubSecrets(inner, depth + 1);
    return copy;
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((item) => {
      const next = scrubSecrets(item, depth + 1);
      if (next !== item) changed = true;
      return next;
    });
    return changed ? out : value;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) {
    // Headers, Maps and other class instances: only plain data is walked; pino serialises the rest.
    if (typeof (value as { entries?: unknown }).entries === 'function' && typeof (value as { get?: unknown }).get === 'function') {
      const plain: Record<string, unknown> = {};
      for (const [k, v] of (value as { entries(): Iterable<[string, unknown]> }).entries()) plain[k] = v;
      return scrubSecrets(plain, depth);
    }
    return value;
  }
  let changed = false;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
    const next = SECRET_KEYS.has(normalise(key)) && inner !== undefined && inner !== null && inner !== CENSOR ? CENSOR : scrubSecrets(inner, depth + 1);
    if (next !== inner) changed = true;
    out[key] = next;
  }
  return changed ? out : value;
}
