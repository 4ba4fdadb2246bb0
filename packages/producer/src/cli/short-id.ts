/** Ids longer than this are shortened in tables; `--json` always prints them whole. */
const MAX_WHOLE = 24;
const HEAD = 12;
const TAIL = 6;
const GAP = '..';

/**
 * An id as a table shows it: whole up to 24 characters, else its first 12 and last 6 characters around `..`
 * (`ses_AbCdEfGh..x9Yz01`). Commands that take an approval id accept this form back.
 */
export function shortId(id: string): string {
  return id.length <= MAX_WHOLE ? id : `${id.slice(0, HEAD)}${GAP}${id.slice(-TAIL)}`;
}

/** Whether `id` is the id a table printed as `shown` (whole, or shortened by {@link shortId}). */
export function matchesShownId(id: string, shown: string): boolean {
  const gap = shown.indexOf(GAP);
  if (gap < 0) return id === shown;
  const head = shown.slice(0, gap);
  const tail = shown.slice(gap + GAP.length);
  return id.length >= head.length + tail.length && id.startsWith(head) && id.endsWith(tail);
}
