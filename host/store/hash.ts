// Hash values of cax: SHA-256 digests written as 64 lower-case hex digits,
// how a group's members get their own hash (docs/hashing.md §Groups), and
// the parsing of hashes and hash prefixes given by users.
import { createHash } from 'node:crypto';
import { CaxError } from '../errors.js';

/** 64 lower-case hex digits. */
export type Hash = string;

export const HASH_HEX_LENGTH = 64;
const HASH_RE = /^[0-9a-f]{64}$/;
const PREFIX_RE = /^[0-9a-f]{1,64}$/;

/** Domain separator of member hashes, so a member hash never equals a group hash of other bytes by construction. */
const MEMBER_TAG = Buffer.from('cax-member\0', 'utf8');

export function sha256(bytes: Uint8Array): Hash {
  return createHash('sha256').update(bytes).digest('hex');
}

export function isHash(text: string): text is Hash {
  return HASH_RE.test(text);
}

/**
 * The hash of member `index` of a group of `size` definitions: a group of one
 * is addressed by the group hash itself; otherwise SHA-256 of
 * "cax-member\0" ‖ the 32 group-hash bytes ‖ index as u32 big-endian.
 */
export function memberHash(group: Hash, index: number, size: number): Hash {
  if (!isHash(group)) throw new CaxError('E_INTERNAL', `not a hash: ${group}`);
  if (!Number.isInteger(index) || index < 0 || index >= size) throw new CaxError('E_INTERNAL', `member ${index} of a group of ${size}`);
  if (size === 1) return group;
  const idx = Buffer.alloc(4);
  idx.writeUInt32BE(index);
  return sha256(Buffer.concat([MEMBER_TAG, Buffer.from(group, 'hex'), idx]));
}

/** A hash or hash prefix typed by a user, with or without the leading `@`. */
export function parseHashPrefix(text: string): string | undefined {
  const t = text.startsWith('@') ? text.slice(1) : text;
  return PREFIX_RE.test(t) ? t : undefined;
}

/** `@` + the first `n` digits: how hashes are shown to people. */
export function shortHash(hash: Hash, n = 12): string {
  return `@${hash.slice(0, n)}`;
}
