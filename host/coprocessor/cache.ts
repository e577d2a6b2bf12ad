// The image cache: compiled images stored next to the repository
// (<store>/images/<key>.json), keyed by the linked definitions' hashes, the
// compiler version and the runtime's bytes, so a stored definition is
// compiled once. Files are parsed by a schema; a bad file is rebuilt.
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

/** The image under `key` in `dir`, built (and stored) on a miss; `hit` says which. */
export function cachedImage(dir: string, key: string, build: () => Image): { image: Image; hit: boolean } {
  const path = join(dir, `${key}.json`);
  if (existsSync(path)) {
    const parsed = ImageFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
    if (parsed.success) return { image: fromFile(parsed.data), hit: true };
  }
  const image = build();
  mkdirSync(dir, { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(toFile(image)));
  renameSync(tmp, path);
  return { image, hit: false };
}
