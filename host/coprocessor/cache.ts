// The image cache: compiled images stored next to the repository
// (<store>/images/<key>.json), keyed by the linked definitions' hashes, the
// compiler version and the runtime's bytes, so a stored definition is
// compiled once. The SHA-256 of each file is recorded in the store's
// database (its `images` table) when the file is written, and every read
// checks the file against it before parsing it by a schema: a file that is
// unreadable, truncated, edited, malformed or not recorded is rebuilt, and the
// caller hears why (a warning); it is never run.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { Image } from '../compiler/link.js';

const SpanSchema = z.object({ file: z.string(), line: z.number().int(), col: z.number().int(), endLine: z.number().int().optional(), endCol: z.number().int().optional() });

const ImageFile = z.object({
  bytes: z.string(),
  base: z.number().int(),
  entry: z.number().int(),
  heapStart: z.number().int(),
  codeStart: z.number().int(),
  symbols: z.array(z.tuple([z.string(), z.number().int()])),
  sourceMap: z.array(z.object({ pc: z.number().int(), span: SpanSchema })),
  sites: z.array(SpanSchema),
});

function toFile(image: Image): z.infer<typeof ImageFile> {
  return {
    bytes: Buffer.from(image.bytes).toString('base64'),
    base: image.base,
    entry: image.entry,
    heapStart: image.heapStart,
    codeStart: image.codeStart,
    symbols: [...image.symbols],
    sourceMap: image.sourceMap.map((m) => ({ pc: m.pc, span: { ...m.span } })),
    sites: image.sites.map((s) => ({ ...s })),
  };
}

function fromFile(f: z.infer<typeof ImageFile>): Image {
  return { ...f, bytes: new Uint8Array(Buffer.from(f.bytes, 'base64')), symbols: new Map(f.symbols) };
}

/** Why a cached file was not used. */
export type ImageRebuilt = 'unreadable' | 'unrecorded' | 'tampered' | 'malformed';

/** Where the digests of the cached files are kept (the repository). */
export interface ImageDigests {
  imageDigest(key: string): string | undefined;
  recordImageDigest(key: string, sha256: string): void;
}

/** The warning a rebuilt image gets. */
export function imageWarning(key: string, why: ImageRebuilt): string {
  const what = {
    unreadable: 'could not be read',
    unrecorded: 'has no digest in the store',
    tampered: 'does not match the digest recorded in the store (edited or truncated?)',
    malformed: 'is not an image file',
  }[why];
  return `the cached image ${key.slice(0, 12)} ${what}: rebuilt`;
}

/** The image in a cache file's bytes, if they hash to `digest` and parse; else why not. */
export function readImageFile(bytes: Uint8Array, digest: string | undefined): Image | ImageRebuilt {
  if (digest === undefined) return 'unrecorded';
  if (createHash('sha256').update(bytes).digest('hex') !== digest) return 'tampered';
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    return 'malformed';
  }
  const parsed = ImageFile.safeParse(json);
  return parsed.success ? fromFile(parsed.data) : 'malformed';
}

/** The image under `key` in `dir`, built (and stored, its digest recorded) on a miss; `hit` says which, `rebuilt` why a file there was not used. */
export function cachedImage(dir: string, key: string, digests: ImageDigests, build: () => Image): { image: Image; hit: boolean; rebuilt?: ImageRebuilt } {
  const path = join(dir, `${key}.json`);
  let rebuilt: ImageRebuilt | undefined;
  if (existsSync(path)) {
    let bytes: Uint8Array | undefined;
    try {
      bytes = readFileSync(path);
    } catch {
      rebuilt = 'unreadable';
    }
    if (bytes !== undefined) {
      const read = readImageFile(bytes, digests.imageDigest(key));
      if (typeof read !== 'string') return { image: read, hit: true };
      rebuilt = read;
    }
  }
  const image = build();
  const bytes = Buffer.from(JSON.stringify(toFile(image)), 'utf8');
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
  digests.recordImageDigest(key, createHash('sha256').update(bytes).digest('hex'));
  return { image, hit: false, ...(rebuilt ? { rebuilt } : {}) };
}
