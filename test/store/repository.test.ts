// The SQLite repository: verified reads, name history, dependency edges both
// ways, corruption on disk, a writer killed with SIGKILL mid-transaction, and
// two writer processes at once; store files that are not what they seem.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Repository, STORE_FILE, storeDirectory, type NewGroup } from '../../host/store/repository.js';
import { memberHash, sha256 } from '../../host/store/hash.js';
import { CaxError } from '../../host/errors.js';
import { compileTree, finished, startNode, type CompiledTree } from './child.js';
import { errorCode } from '../helpers/errors.js';
import { captureIO } from '../helpers/cli-io.js';
import { runCli } from '../../host/cli/program.js';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'cax-repo-'));
}

function single(text: string, dependencies: string[] = []): NewGroup {
  const bytes = Buffer.from(text);
  const hash = sha256(bytes);
  return { hash, bytes, members: [{ hash, type: 'Int', meta: { text }, dependencies }] };
}

describe('repository', () => {
  it('finds the store in $CAX_HOME or .cax/', () => {
    expect(storeDirectory('/w', { CAX_HOME: '/h' })).toBe('/h');
    expect(storeDirectory('/w', {})).toBe('/w/.cax');
  });

  it('stores groups, names with history and dependency edges both ways', () => {
    const dir = tempDir();
    try {
      const repo = Repository.open(dir);
      const a = single('a');
      const b = single('b', [a.hash]);
      const changes = repo.commit(
        [a, b],
        [
          { name: 'a', hash: a.hash, reason: 'added' },
          { name: 'b', hash: b.hash, reason: 'added' },
        ],
      );
      expect(changes.map((c) => c.status)).toEqual(['new', 'new']);
      expect(repo.get(b.hash).meta).toEqual({ text: 'b' });
      expect(repo.dependencies(b.hash)).toEqual([a.hash]);
      expect(repo.dependents(a.hash)).toEqual([b.hash]);
      const a2 = single('a2');
      expect(repo.commit([a2], [{ name: 'a', hash: a2.hash, reason: 'edited' }])[0]).toMatchObject({ status: 'updated', previous: a.hash });
      expect(repo.commit([a2], [{ name: 'a', hash: a2.hash, reason: 'again' }])[0]!.status).toBe('unchanged');
      expect(repo.history('a').map((e) => [e.hash, e.previous, e.reason])).toEqual([
        [a.hash, undefined, 'added'],
        [a2.hash, a.hash, 'edited'],
      ]);
      expect(repo.lookupName('a')).toBe(a2.hash);
      expect(repo.formerNamesOf(a.hash)).toEqual(['a']);
      expect(repo.namesOf(a.hash)).toEqual([]);
      expect(repo.withPrefix(a.hash.slice(0, 6))).toEqual([a.hash]);
      repo.close();
      // Reopening sees the same state.
      const again = Repository.open(dir);
      expect(again.count()).toBe(3);
      again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stores groups of several members under their member hashes', () => {
    const dir = tempDir();
    try {
      const repo = Repository.open(dir);
      const bytes = Buffer.from('two members');
      const hash = sha256(bytes);
      const members = [0, 1].map((i) => ({ hash: memberHash(hash, i, 2), type: 'Int', meta: {}, dependencies: [] }));
      repo.commit([{ hash, bytes, members }], []);
      expect(repo.group(hash).map((d) => d.index)).toEqual([0, 1]);
      expect(repo.get(members[1]!.hash).group).toBe(hash);
      repo.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports every missing dependency at once and writes nothing', () => {
    const dir = tempDir();
    try {
      const repo = Repository.open(dir);
      const m1 = sha256(Buffer.from('m1'));
      const m2 = sha256(Buffer.from('m2'));
      const x = single('x', [m1, m2]);
      let error: CaxError | undefined;
      try {
        repo.commit([x], [{ name: 'x', hash: x.hash, reason: 'added' }]);
      } catch (e) {
        error = e as CaxError;
      }
      expect(error?.code).toBe('E_MISSING_HASH');
      expect(new Set(error?.details.missing as string[])).toEqual(new Set([m1, m2]));
      expect(repo.count()).toBe(0);
      expect(repo.lookupName('x')).toBeUndefined();
      expect(errorCode(() => repo.get(m1))).toBe('E_MISSING_HASH');
      repo.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detects bytes corrupted on disk (E_CORRUPT)', () => {
    const dir = tempDir();
    try {
      const repo = Repository.open(dir);
      const marker = 'canonical-bytes-MARKER-0123456789';
      const g = single(marker);
      repo.commit([g], [{ name: 'g', hash: g.hash, reason: 'added' }]);
      repo.close(); // checkpoints the WAL into the main file
      const file = join(dir, STORE_FILE);
      const disk = readFileSync(file);
      const at = disk.indexOf(Buffer.from(marker));
      expect(at).toBeGreaterThan(0);
      disk[at + 16] = 'm'.charCodeAt(0); // flip one letter of the stored bytes
      writeFileSync(file, disk);
      const reopened = Repository.open(dir);
      expect(errorCode(() => reopened.get(g.hash))).toBe('E_CORRUPT');
      reopened.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('detects altered type or metadata, and a damaged file (E_CORRUPT)', () => {
    const dir = tempDir();
    try {
      const repo = Repository.open(dir);
      const g = single('typed');
      repo.commit([g], []);
      repo.close();
      const file = join(dir, STORE_FILE);
      const disk = readFileSync(file);
      const at = disk.indexOf(Buffer.from('{"text":"typed"}'));
      expect(at).toBeGreaterThan(0);
      disk[at + 9] = 'T'.charCodeAt(0);
      writeFileSync(file, disk);
      const reopened = Repository.open(dir);
      expect(errorCode(() => reopened.get(g.hash))).toBe('E_CORRUPT');
      reopened.close();
      writeFileSync(file, Buffer.alloc(8192, 0x5a)); // not a database at all
      expect(errorCode(() => Repository.open(dir))).toBe('E_CORRUPT');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a store file that is a directory is E_IO, an empty one E_CORRUPT (not taken for a new store), and cax says so with exit 1', async () => {
    const dir = tempDir();
    try {
      mkdirSync(join(dir, STORE_FILE));
      expect(errorCode(() => Repository.open(dir))).toBe('E_IO');
      const io = captureIO({ env: { CAX_HOME: dir } });
      expect(await runCli(['ls'], io)).toBe(1);
      expect(io.stderr.join('\n')).toMatch(/E_IO .*store\.sqlite is not a file \(a directory\)/);
      rmSync(join(dir, STORE_FILE), { recursive: true });
      writeFileSync(join(dir, STORE_FILE), '');
      expect(errorCode(() => Repository.open(dir))).toBe('E_CORRUPT');
      const empty = captureIO({ env: { CAX_HOME: dir } });
      expect(await runCli(['ls'], empty)).toBe(1);
      expect(empty.stderr.join('\n')).toMatch(/E_CORRUPT .*is empty \(0 bytes/);
      expect(readFileSync(join(dir, STORE_FILE)).length).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('repository under real processes', () => {
  let tree: CompiledTree;
  beforeAll(() => {
    tree = compileTree(['test/store/writer.ts']);
  });
  afterAll(() => tree.dispose());

  /** Every batch is all there or not there, every name verifies, SQLite sees no damage. */
  function checkConsistent(dir: string, writers: string[], batches: number, size: number): number {
    const repo = Repository.open(dir);
    try {
      repo.checkIntegrity();
      let complete = 0;
      for (const w of writers) {
        for (let k = 0; k < batches; k++) {
          const head = repo.lookupName(`w${w}_b${k}`);
          const hashes: string[] = [];
          for (let i = 0; i < size; i++) hashes.push(sha256(Buffer.from(`writer ${w} batch ${k} item ${i} ${'x'.repeat(200)}`)));
          const present = hashes.filter((h) => repo.has(h)).length;
          if (head === undefined) {
            expect(present).toBe(0);
          } else {
            expect(present).toBe(size);
            expect(head).toBe(hashes[size - 1]);
            for (const h of hashes) repo.get(h);
            complete++;
          }
        }
      }
      return complete;
    } finally {
      repo.close();
    }
  }

  it('a writer killed with SIGKILL mid-write leaves the store as before or after each transaction', async () => {
    for (let round = 0; round < 3; round++) {
      const dir = tempDir();
      try {
        const child = startNode(tree.js('test/store/writer.ts'), [dir, 'k', '400', '300']);
        const done = finished(child);
        await new Promise<void>((res) => {
          let seen = 0;
          child.stdout!.on('data', (d: Buffer) => {
            seen += (d.toString().match(/committed/g) ?? []).length;
            if (seen >= 2 + round * 3) {
              setTimeout(() => child.kill('SIGKILL'), 3 + round * 7);
              res();
            }
          });
        });
        const result = await done;
        expect(result.signal).toBe('SIGKILL');
        const complete = checkConsistent(dir, ['k'], 400, 300);
        expect(complete).toBeGreaterThanOrEqual(2);
        expect(complete).toBeLessThan(400);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it('two processes adding at once both succeed', async () => {
    const dir = tempDir();
    try {
      Repository.open(dir).close();
      const runs = ['1', '2'].map((w) => finished(startNode(tree.js('test/store/writer.ts'), [dir, w, '30', '100'])));
      const results = await Promise.all(runs);
      for (const r of results) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
      expect(checkConsistent(dir, ['1', '2'], 30, 100)).toBe(60);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('cax add path under real processes', () => {
  let tree: CompiledTree;
  beforeAll(() => {
    tree = compileTree(['test/store/tel-writer.ts'], ['host/tel/prelude.tel']);
  });
  afterAll(() => tree.dispose());

  /** Each generated file is wholly in the store (names and definitions, verified) or not at all. */
  function filesComplete(dir: string, writer: string, files: number, size: number): number {
    const repo = Repository.open(dir);
    try {
      repo.checkIntegrity();
      let complete = 0;
      for (let k = 0; k < files; k++) {
        const present = Array.from({ length: size }, (_, i) => repo.lookupName(`w${writer}_f${k}_${i}`)).concat([repo.lookupName(`w${writer}_f${k}_last`)]);
        const named = present.filter((h) => h !== undefined);
        expect([0, size + 1]).toContain(named.length);
        if (named.length > 0) {
          for (const h of named) repo.get(h!);
          complete++;
        }
      }
      return complete;
    } finally {
      repo.close();
    }
  }

  it('two processes running the add path at once both succeed', async () => {
    const dir = tempDir();
    try {
      const results = await Promise.all(['a', 'b'].map((w) => finished(startNode(tree.js('test/store/tel-writer.ts'), [dir, w, '6', '40']))));
      for (const r of results) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
      expect(filesComplete(dir, 'a', 6, 40)).toBe(6);
      expect(filesComplete(dir, 'b', 6, 40)).toBe(6);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an add killed with SIGKILL leaves whole files or nothing', async () => {
    const dir = tempDir();
    try {
      const child = startNode(tree.js('test/store/tel-writer.ts'), [dir, 'k', '200', '60']);
      const done = finished(child);
      await new Promise<void>((res) => {
        let out = '';
        child.on('exit', () => res());
        child.stdout!.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('added 2')) {
            setTimeout(() => child.kill('SIGKILL'), 37);
            res();
          }
        });
      });
      expect((await done).signal).toBe('SIGKILL');
      const complete = filesComplete(dir, 'k', 200, 60);
      expect(complete).toBeGreaterThanOrEqual(3);
      expect(complete).toBeLessThan(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
