import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function toBase62(bytes: Uint8Array, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += BASE62[(bytes[i] ?? 0) % 62];
  return out;
}

function randomBase62(length: number): string {
  return toBase62(randomBytes(length), length);
}

/** A stable base62 digest; short, but only has to tell conversations and turns apart. */
export function hashBase62(input: string, length: number): string {
  return toBase62(createHash('sha256').update(input).digest(), length);
}

// Real ids are a prefix plus "01" and 22 base62 characters; the mock's look the same.
export function newRequestId(): string {
  return `req_01${randomBase62(22)}`;
}

export function newMessageId(): string {
  return `msg_01${randomBase62(22)}`;
}

/** Identifies a conversation by its first user message, which agent windowing keeps. */
export function conversationKey(firstUserText: string): string {
  return hashBase62(firstUserText, 8);
}

const TURN_DIGITS = 4;
const INDEX_DIGITS = 2;
const MAC_LENGTH = 8;
const MAX_TURN = 36 ** TURN_DIGITS - 1;
const MAX_INDEX = 36 ** INDEX_DIGITS - 1;

function mac(conversation: string, turn: number, index: number): string {
  return hashBase62(`toolu:${conversation}:${turn}:${index}`, MAC_LENGTH);
}

/**
 * `toolu_01` + conversation key (8) + turn (4, base36) + block index (2, base36)
 * + MAC (8): 24 characters after `toolu_`, like the real ones. The MAC lets the
 * mock recognise its own ids and ignore ids a client made up or copied from
 * another conversation; the same conversation, turn and index always give the
 * same id, so a retried turn answers identically.
 */
export function toolUseId(conversation: string, turn: number, index: number): string {
  if (!Number.isInteger(turn) || turn < 0 || turn > MAX_TURN) throw new RangeError(`turn out of range: ${turn}`);
  if (!Number.isInteger(index) || index < 0 || index > MAX_INDEX) throw new RangeError(`index out of range: ${index}`);
  const t = turn.toString(36).padStart(TURN_DIGITS, '0');
  const i = index.toString(36).padStart(INDEX_DIGITS, '0');
  return `toolu_01${conversation}${t}${i}${mac(conversation, turn, index)}`;
}

/** The turn and index of a mock-made id of `conversation`, or undefined for any other id. */
export function decodeToolUseId(id: string, conversation: string): { turn: number; index: number } | undefined {
  const prefix = `toolu_01${conversation}`;
  const bodyLength = TURN_DIGITS + INDEX_DIGITS + MAC_LENGTH;
  if (!id.startsWith(prefix) || id.length !== prefix.length + bodyLength) return undefined;
  const rest = id.slice(prefix.length);
  const turnText = rest.slice(0, TURN_DIGITS);
  const indexText = rest.slice(TURN_DIGITS, TURN_DIGITS + INDEX_DIGITS);
  if (!/^[0-9a-z]+$/.test(turnText + indexText)) return undefined;
  const turn = parseInt(turnText, 36);
  const index = parseInt(indexText, 36);
  if (rest.slice(TURN_DIGITS + INDEX_DIGITS) !== mac(conversation, turn, index)) return undefined;
  return { turn, index };
}
