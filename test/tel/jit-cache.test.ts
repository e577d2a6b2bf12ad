// The JIT's persistent code cache (host/tel/jit/disk-cache.ts): V8's code for
// generated sources kept in a directory, verified on read (a damaged, foreign
// or stale file is a removed miss), evicted least recently used past its size
// limit; and a later process runs from it with the interpreter's results
// (the built dist/, as the CLI tests use).
import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiskCodeStore } from '../../host/tel/jit/disk-cache.js';
import { JIT_VERSION, codeKey, persistentCodeCache } from '../../host/tel/jit/tier.js';
import { loadProgram, runMain, type Resolver } from '../../host/tel/interp.js';
import { parseExpression, parseProgram, parseTypeScheme } from '../../host/tel/parser.js';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cax-jit-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('DiskCodeStore', () => {
  it('reads back what it wrote', () => {
    const store = new DiskCodeStore(dir, JIT_VERSION);
    expect(store.read('k')).toBeUndefined();
    store.write('k', Buffer.from([1, 2, 3]));
    expect(store.read('k')).toEqual(Buffer.from([1, 2, 3]));
    expect([store.hits, store.misses, store.writes]).toEqual([1, 1, 1]);
  });

  it('removes a damaged, foreign or stale file and answers a miss', () => {
    const store = new DiskCodeStore(dir, JIT_VERSION);
    const file = join(dir, DiskCodeStore.nameOf('k'));
    const damaged = (): void => {
      store.write('k', Buffer.from('payload'));
      const raw = readFileSync(file);
      raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
      writeFileSync(file, raw);
    };
    damaged();
    expect(store.read('k')).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(file, '{"format":"something else"}\npayload');
    expect(store.read('k')).toBeUndefined();
    writeFileSync(file, 'no header at all');
    expect(store.read('k')).toBeUndefined();
    store.write('k', Buffer.from('payload'));
    expect(new DiskCodeStore(dir, JIT_VERSION + 1).read('k')).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
    expect(store.rejected).toBe(3);
  });

  it('evicts the least recently used files past its size limit', () => {
    const store = new DiskCodeStore(dir, JIT_VERSION, 1500);
    const payload = Buffer.alloc(200, 7);
    for (const [i, key] of ['a', 'b', 'c'].entries()) {
      store.write(key, payload);
      const t = new Date(Date.UTC(2026, 0, 1, 0, 0, i));
      utimesSync(join(dir, DiskCodeStore.nameOf(key)), t, t);
    }
    expect(store.read('a')).toEqual(payload);
    store.write('d', payload);
    expect(store.evicted).toBe(1);
    expect(store.read('b')).toBeUndefined();
    for (const key of ['a', 'c', 'd']) expect(store.read(key)).toEqual(payload);
    expect(store.entries().reduce((n, e) => n + e.bytes, 0)).toBeLessThanOrEqual(1500);
  });
});

describe('the code cache key', () => {
  const stored = 'c'.repeat(64);
  it("is the JIT version, the passes, the stored definition's hash and the generated source", () => {
    const key = codeKey('111111111', stored, 'return 1;');
    expect(key.startsWith(`jit ${JIT_VERSION} passes 111111111 definition ${stored}\n`)).toBe(true);
    expect(new Set([key, codeKey('111111111', '', 'return 1;'), codeKey('111111111', stored, 'return 2;'), codeKey('011111111', stored, 'return 1;')]).size).toBe(4);
  });
  it("refuses a file under another key's name (the header names the whole key)", () => {
    const store = new DiskCodeStore(dir, JIT_VERSION);
    store.write('k', Buffer.from('payload'), stored);
    copyFileSync(join(dir, DiskCodeStore.nameOf('k')), join(dir, DiskCodeStore.nameOf('other')));
    expect(store.read('other')).toBeUndefined();
    expect(store.rejected).toBe(1);
    expect(store.read('k')).toEqual(Buffer.from('payload'));
  });
  it("names the stored definition of the lambdas of one, and none for a program's own", () => {
    const resolver: Resolver = {
      definition: (h) => (h === stored ? parseProgram('triple :: Int -> Int\ntriple x = x * 3\n', 'store').decls[0] : undefined),
      hashTypes: (h) => (h === stored ? parseTypeScheme('Int -> Int', 'store') : undefined),
    };
    const source = `go :: Int -> Int -> Int\ngo i acc = if i == 0 then acc else go (i - 1) (acc + @${stored} i)\nmain :: Int -> Int\nmain n = go n 0\n`;
    const r = runMain(loadProgram(parseProgram(source, 'test.tel'), resolver), 'main', [parseExpression('10', '<arg>')], { jit: 'eager', jitCache: persistentCodeCache(dir) });
    expect(r.shown).toBe('165');
    const headers = readdirSync(dir).map((name) => {
      const raw = readFileSync(join(dir, name));
      return JSON.parse(raw.subarray(0, raw.indexOf(10)).toString('utf8')) as { jit: number; definition: string | null };
    });
    expect(headers.every((h) => h.jit === JIT_VERSION)).toBe(true);
    expect(headers.filter((h) => h.definition === stored)).toHaveLength(1);
    expect(headers.filter((h) => h.definition === null).length).toBeGreaterThan(0);
  });
});

describe('the code cache across processes', () => {
  // Each run is a fresh Node process (V8 reuses code it compiled itself within one process, so only another
  // process shows that the stored code is taken): fib 18 with the JIT eager and the cache in `dir`, against the
  // interpreter in the same process.
  const script = `
    import { loadProgram, runMain } from ${JSON.stringify(pathToFileURL(resolve('dist/host/tel/interp.js')).href)};
    import { parseExpression, parseProgram } from ${JSON.stringify(pathToFileURL(resolve('dist/host/tel/parser.js')).href)};
    import { persistentCodeCache } from ${JSON.stringify(pathToFileURL(resolve('dist/host/tel/jit/tier.js')).href)};
    const fib = 'fib :: Int -> Int\\nfib n = if n < 2 then n else fib (n - 1) + fib (n - 2)\\nmain :: Int -> Int\\nmain n = fib n\\n';
    const run = (options) => runMain(loadProgram(parseProgram(fib, 'fib.tel')), 'main', [parseExpression('18', '<arg>')], options);
    const cache = persistentCodeCache(process.argv[1]);
    const jit = run({ jit: 'eager', jitCache: cache });
    const off = run({ jit: 'off' });
    const d = cache.disk;
    console.log(JSON.stringify({ same: [jit.shown, jit.steps, jit.memory] .join() === [off.shown, off.steps, off.memory].join(), bailouts: jit.jit.bailouts, hits: d.hits, writes: d.writes, rejected: d.rejected }));
  `;
  const runProcess = (): { same: boolean; bailouts: number; hits: number; writes: number; rejected: number } =>
    JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script, dir], { encoding: 'utf8' })) as { same: boolean; bailouts: number; hits: number; writes: number; rejected: number };

  it('a later process runs from the stored code, and code V8 refuses is replaced', () => {
    const first = runProcess();
    expect(first).toMatchObject({ same: true, bailouts: 0, hits: 0, rejected: 0 });
    expect(first.writes).toBeGreaterThan(0);
    expect(runProcess()).toEqual({ same: true, bailouts: 0, hits: first.writes, writes: 0, rejected: 0 });
    // a valid header and checksum around data that is not V8's: V8 refuses it, the cache writes it anew
    for (const name of readdirSync(dir)) {
      const raw = readFileSync(join(dir, name));
      const header = JSON.parse(raw.subarray(0, raw.indexOf(10)).toString('utf8')) as { bytes: number };
      const junk = Buffer.alloc(header.bytes, 0x5a);
      writeFileSync(join(dir, name), Buffer.concat([Buffer.from(`${JSON.stringify({ ...header, sha256: createHash('sha256').update(junk).digest('hex') })}\n`), junk]));
    }
    expect(runProcess()).toEqual({ same: true, bailouts: 0, hits: first.writes, writes: first.writes, rejected: first.writes });
    expect(runProcess()).toEqual({ same: true, bailouts: 0, hits: first.writes, writes: 0, rejected: 0 });
  });
});
