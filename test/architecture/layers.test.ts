// The folders of host/ are layers: the graph of imports between folders
// (type-only imports included) has no cycle. Module-level cycles are caught by
// lint (import-x/no-cycle); this catches a folder A importing B while some file
// of B imports A, even through different files.
import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { stronglyConnected } from '../../host/tel/scc.js';

const IMPORT = /(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g;

/** Folder → folders it imports from, for every .ts file under `root`'s sub-folders. */
function folderGraph(root: string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const uses = new Set<string>();
    graph.set(entry.name, uses);
    for (const file of readdirSync(join(root, entry.name), { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      const path = join(root, entry.name, file);
      for (const match of readFileSync(path, 'utf8').matchAll(IMPORT)) {
        const target = relative(root, resolve(dirname(path), match[1] ?? '')).split('/');
        if (target.length > 1 && target[0] !== entry.name && target[0] !== '..') uses.add(target[0] ?? '');
      }
    }
  }
  return graph;
}

/** The groups of folders that import each other (directly or around a cycle). */
function folderCycles(root: string): string[][] {
  const graph = folderGraph(root);
  return stronglyConnected([...graph.keys()], (folder) => graph.get(folder) ?? []).filter((group) => group.length > 1);
}

describe('host/ folders as layers', () => {
  it('has no import cycle between folders', () => {
    expect(folderCycles(resolve('host'))).toEqual([]);
  });

  it('reports a planted cycle through three folders', () => {
    const root = mkdtempSync(join(tmpdir(), 'cax-layers-'));
    try {
      const plant = (file: string, text: string): void => {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        writeFileSync(join(root, file), text);
      };
      plant('a/x.ts', "import { y } from '../b/y.js';\nexport const x = y;\n");
      plant('b/y.ts', "import type { Z } from '../c/deep/z.js';\nexport const y = 1 as Z;\n");
      plant('c/deep/z.ts', "export type Z = number;\nexport { x } from '../../a/x.js';\n");
      plant('d/w.ts', "import { x } from '../a/x.js';\nexport const w = x;\n");
      expect(folderCycles(root).map((group) => [...group].sort())).toEqual([['a', 'b', 'c']]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
