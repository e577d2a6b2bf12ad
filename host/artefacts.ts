// Where cax finds what it did not compile from TypeScript: the loader firmware,
// the TEL runtime and its proving build, the Verilator model of the SoC (all
// built by make from the native sources the package carries) and the circuit
// sources. One place for all of them, independent of the working directory:
// `$CAX_HOME/build/…` first, then `build/…` in the package root. A missing one
// is built on first use (make, in `$CAX_HOME/build` if set, else the package's
// build/) when the tools are installed; otherwise one E_ARTEFACT error names it
// and says how to get it.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { CaxError } from './errors.js';

/** The artefacts make builds: what each is, its path under build/, and the tools that build it. */
export const ARTEFACTS = {
  firmware: { what: 'the loader firmware', path: 'firmware/firmware.elf', tools: ['make', 'riscv64-unknown-elf-gcc'], target: 'firmware' },
  telRuntime: { what: 'the TEL runtime', path: 'tel-runtime/runtime.elf', tools: ['make', 'riscv64-unknown-elf-gcc'], target: 'tel-runtime' },
  proveRuntime: { what: 'the proving build of the TEL runtime', path: 'tel-runtime/prove-runtime.elf', tools: ['make', 'riscv64-unknown-elf-gcc'], target: 'tel-runtime' },
  simulator: { what: 'the Verilator model of the SoC', path: 'sim/cax-sim', tools: ['make', 'verilator', 'g++'], target: 'sim' },
  coverageSimulator: { what: 'the Verilator model of the SoC with line and toggle coverage', path: 'sim-coverage/cax-sim', tools: ['make', 'verilator', 'g++'], target: 'sim-coverage' },
} as const;

export type ArtefactName = keyof typeof ARTEFACTS;

const PackageJson = z.object({ name: z.string() });

/** The installed package (or the checkout): the nearest ancestor of this module whose package.json is cax's. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && PackageJson.safeParse(JSON.parse(readFileSync(manifest, 'utf8'))).data?.name === 'cax') return dir;
    const up = dirname(dir);
    if (up === dir) throw new CaxError('E_ARTEFACT', 'cannot find the cax package (its package.json) above this module');
    dir = up;
  }
}

/** The build directories searched, in order: `$CAX_HOME/build`, then the package's build/. */
export function buildDirectories(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.CAX_HOME;
  return [...(home ? [resolve(home, 'build')] : []), join(packageRoot(), 'build')];
}

function hasTool(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0;
}

/** An artefact make builds: what it is, its path under build/, the make target and the tools that build it. */
interface Artefact {
  readonly what: string;
  readonly path: string;
  readonly tools: readonly string[];
  readonly target: string;
}

/**
 * The absolute path of an artefact: found in a build directory, or built there
 * now with make when the tools are installed; E_ARTEFACT otherwise.
 */
export function artefactPath(name: ArtefactName, env: NodeJS.ProcessEnv = process.env): string {
  return locate(name, ARTEFACTS[name], env);
}

/**
 * The TEL runtime's optional parts (firmware/tel-runtime/tel.h TEL_DOUBLE,
 * TEL_HASH, TEL_SHOW): Doubles (arithmetic, comparison, conversions, their
 * `show`), `hashOf`, `show`. mk/compiler.mk builds the runtime once per set
 * of them; host/compiler/link.ts links each image with the one its code needs.
 */
export const RUNTIME_PARTS = ['double', 'hash', 'show'] as const;
export type RuntimePart = (typeof RUNTIME_PARTS)[number];

/** The file of the runtime's build with exactly `parts` (mk/compiler.mk): runtime.elf with all, runtime-base.elf with none. */
export function telRuntimePath(parts: ReadonlySet<RuntimePart>, env: NodeJS.ProcessEnv = process.env): string {
  const named = RUNTIME_PARTS.filter((p) => parts.has(p));
  if (named.length === RUNTIME_PARTS.length) return artefactPath('telRuntime', env);
  const name = named.length === 0 ? 'base' : named.join('-');
  return locate(
    `telRuntime-${name}`,
    { ...ARTEFACTS.telRuntime, what: `the TEL runtime's build with ${named.length === 0 ? 'no optional part' : named.join(', ')}`, path: `tel-runtime/runtime-${name}.elf` },
    env,
  );
}

/** Every build of the runtime the loader's images link (one per set of parts): what a compiled image's bytes depend on. */
export function telRuntimeFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const sets: RuntimePart[][] = [[]];
  for (const part of RUNTIME_PARTS) for (const set of [...sets]) sets.push([...set, part]);
  return sets.map((set) => telRuntimePath(new Set(set), env));
}

/** `key`: the artefact's name in errors' details. */
function locate(key: string, artefact: Artefact, env: NodeJS.ProcessEnv): string {
  const directories = buildDirectories(env);
  for (const dir of directories) {
    const path = join(dir, artefact.path);
    if (existsSync(path)) return path;
  }
  const build = directories[0] ?? join(packageRoot(), 'build');
  const path = join(build, artefact.path);
  const how = `run \`make ${artefact.target}\` in ${packageRoot()}, or install ${artefact.tools.join(', ')} (scripts/setup) and it is built on first use`;
  const missing = artefact.tools.filter((tool) => !hasTool(tool));
  if (missing.length > 0) {
    throw new CaxError('E_ARTEFACT', `${artefact.what} (build/${artefact.path}) is missing and ${missing.join(', ')} is not installed to build it: ${how}`, { details: { artefact: key, missing } });
  }
  try {
    execFileSync('make', ['-C', packageRoot(), '--no-print-directory', `BUILD=${build}`, path], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const output = e instanceof Error && 'stderr' in e ? String(e.stderr).slice(-2000) : String(e);
    throw new CaxError('E_ARTEFACT', `${artefact.what} (build/${artefact.path}) is missing and building it failed: ${how}\n${output}`, { details: { artefact: key } });
  }
  return path;
}

/** The circuit sources (circuits/*.circom) in the package. */
export function circuitsDirectory(): string {
  return join(packageRoot(), 'circuits');
}
