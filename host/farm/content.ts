// Content travels by hash: a submitter puts the bytes of every file a test
// reads into Redis under their SHA-256 (unless they are there already: what
// is there is only refreshed); a worker fetches what it lacks into its own
// content folder and checks every byte against the hash before a test may
// read it (a mismatch is E_FARM_CONTENT, never a run on wrong input; the
// submitter then drops the bad bytes so the next upload replaces them).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import { contentKey } from './connection.js';

/**
 * A file named by its content: the hash, the file's name (kept for its
 * extension) and its path on the submitter's machine (never read: messages
 * that name the local copy name this path instead, as a local run would).
 */
export const ContentRef = z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), name: z.string().regex(/^[^/\0]+$/), origin: z.string() }).strict();
export type ContentRef = z.infer<typeof ContentRef>;

/** How long uploaded content stays in Redis (a run re-uploads what it still needs). */
const CONTENT_TTL_S = 24 * 3600;

export const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** Puts `bytes` under their hash when they are not there (once per submitter and hash); their reference as a file `name` from `origin`. */
export async function uploadBytes(redis: Redis, bytes: Uint8Array, name: string, origin: string, uploaded: Set<string>): Promise<ContentRef> {
  const hash = sha256(bytes);
  if (!uploaded.has(hash)) {
    if ((await redis.set(contentKey(hash), Buffer.from(bytes), 'EX', CONTENT_TTL_S, 'NX')) === null) await redis.expire(contentKey(hash), CONTENT_TTL_S);
    uploaded.add(hash);
  }
  return { hash, name, origin };
}

/** Reads `path` and uploads its bytes (uploadBytes); its reference. */
export const uploadFile = (redis: Redis, path: string, uploaded: Set<string>): Promise<ContentRef> => uploadBytes(redis, readFileSync(path), basename(path), path, uploaded);

/** The local path of `ref` under `folder`: fetched and checked when it is not there yet. */
export async function fetchVerified(redis: Redis, ref: ContentRef, folder: string): Promise<string> {
  const dir = join(folder, ref.hash);
  const path = join(dir, ref.name);
  if (existsSync(path)) return path;
  const bytes = await redis.getBuffer(contentKey(ref.hash));
  if (!bytes) throw new CaxError('E_FARM_CONTENT', `content ${ref.hash} (${ref.name}) is not in Redis`);
  const got = sha256(bytes);
  if (got !== ref.hash) throw new CaxError('E_FARM_CONTENT', `content ${ref.name}: its bytes hash to ${got}, not ${ref.hash}; refused`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${path}.${process.pid}.tmp`, bytes);
  renameSync(`${path}.${process.pid}.tmp`, path);
  return path;
}
