// The test vectors of docs/hashing.md: adding each source to an empty store
// gives exactly the documented bytes and hashes, and the member hashes of
// the documented group follow from its group hash.
import { describe, it, expect } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { tempStore } from './helpers.js';
import { memberHash, sha256 } from '../../host/store/hash.js';

const Vector = z.object({ src: z.string(), name: z.string(), hash: z.string(), bytes: z.string() });

const doc = readFileSync(new URL('../../docs/hashing.md', import.meta.url), 'utf8');
const block = /```vectors\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
const vectors = block
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => Vector.parse(JSON.parse(l)));

describe('docs/hashing.md test vectors', () => {
  it('has vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(8);
  });

  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_name, v) => {
    const s = tempStore();
    try {
      const d = s.add(v.src).definitions.find((x) => x.name === v.name)!;
      const stored = s.repo.get(d.hash);
      expect(Buffer.from(stored.bytes).toString('hex')).toBe(v.bytes);
      expect(d.hash).toBe(v.hash);
      expect(memberHash(sha256(Buffer.from(v.bytes, 'hex')), stored.index, stored.groupSize)).toBe(v.hash);
    } finally {
      s.dispose();
    }
  });
});
