// Runs host code in real child processes (for kill and concurrency tests):
// transpiles a TypeScript entry file and everything it imports relatively
// into a temporary directory of plain ESM JavaScript that `node` runs.
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import ts from 'typescript';

const ROOT = resolve(dirname(new URL(import.meta.url).pathname), '..', '..');

export interface CompiledTree {
  readonly dir: string;
  /** Path of the compiled JavaScript for a source file relative to the repo root. */
  js(source: string): string;
  dispose(): void;
}

/** Transpiles `entries` (repo-relative .ts paths) and their relative imports; copies `assets` (repo-relative) alongside. */
export function compileTree(entries: readonly string[], assets: readonly string[] = []): CompiledTree {
  // Under build/ so that bare imports (better-sqlite3, zod) resolve through the repo's node_modules.
  mkdirSync(join(ROOT, 'build'), { recursive: true });
  const dir = mkdtempSync(join(ROOT, 'build', 'child-'));
  const seen = new Set<string>();
  const queue = entries.map((e) => resolve(ROOT, e));
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const out = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 }, fileName: file });
    const target = join(dir, relative(ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
    for (const m of source.matchAll(/from\s+'(\.{1,2}\/[^']+)\.js'/g)) queue.push(resolve(dirname(file), `${m[1]}.ts`));
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  for (const a of assets) {
    mkdirSync(dirname(join(dir, a)), { recursive: true });
    copyFileSync(resolve(ROOT, a), join(dir, a));
  }
  return {
    dir,
    js: (source) => join(dir, source).replace(/\.ts$/, '.js'),
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Starts `node script args…`. */
export function startNode(script: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Resolves with exit code/signal and all output once the child ends. */
export function finished(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((res) => child.on('exit', (code, signal) => res({ code, signal, stdout, stderr })));
}
