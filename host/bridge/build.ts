// Builds (once) the simulation of a Verilog top module: Verilator turns the
// sources into a C++ model and harness.ts wraps it in a command interpreter,
// linked either as a Node-API addon loaded into this process (the
// `inprocess` transport, the default where Node's headers are installed) or
// as a program driven over pipes (the `process` transport). The result is
// cached under build/bridge/<top>-<hash>/ keyed by the content of every
// source, the parameters, the transport and the tool versions, so a second
// build of the same block is a directory lookup.
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { CaxError } from '../errors.js';
import { harnessSource, HARNESS_VERSION, PRINTF_HEADER } from './harness.js';
import { parsePorts, type Port } from './ports.js';

const run = promisify(execFile);

export type ParameterValue = number | bigint | string;

/** How the bridge talks to the model: a Node-API addon called in this process, or a program over pipes. */
export type Transport = 'inprocess' | 'process';

/** The directory of Node's C headers (node_api.h), or undefined where they are not installed. */
export function nodeIncludeDir(): string | undefined {
  const candidates = [join(dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'];
  return candidates.find((dir) => existsSync(join(dir, 'node_api.h')));
}

export interface BuildRequest {
  /** Absolute paths of the Verilog sources named on the command line. */
  readonly sources: readonly string[];
  readonly top: string;
  readonly parameters: Readonly<Record<string, ParameterValue>>;
  /** Directories searched for modules the sources instantiate (`-y`). */
  readonly searchDirs: readonly string[];
  /** Where cached builds live, e.g. <project>/build/bridge. */
  readonly cacheDir: string;
  readonly transport: Transport;
}

export interface BuiltModel {
  /** The program (process) or the addon (inprocess). */
  readonly executable: string;
  readonly transport: Transport;
  readonly ports: readonly Port[];
  /** True when this call compiled it, false when it came from the cache. */
  readonly compiled: boolean;
}

/** How long a first build may take on a busy machine (tests give their build hooks this long). */
export const BUILD_TIMEOUT_MS = 10 * 60 * 1000;

const VERILOG_FILE = /\.(v|sv|vh|svh)$/;

function parameterFlag(name: string, value: ParameterValue): string {
  return typeof value === 'string' ? `-G${name}="${value}"` : `-G${name}=${value.toString()}`;
}

async function tool(args: readonly string[], cwd: string, what: string): Promise<string> {
  try {
    const { stdout } = await run('verilator', [...args], { cwd, maxBuffer: 64 << 20 });
    return stdout;
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string };
    const output = `${err.stderr ?? ''}${err.stdout ?? ''}`.trim() || err.message;
    throw new CaxError('E_BRIDGE_BUILD', `${what} failed:\n${output.split('\n').slice(-30).join('\n')}`, { cause: e });
  }
}

/** Every input that decides the build, hashed: sources, files reachable through the search dirs, parameters, tools. */
async function buildKey(req: BuildRequest): Promise<string> {
  const hash = createHash('sha256');
  const version = await tool(['--version'], req.cacheDir, 'verilator --version');
  hash.update(
    JSON.stringify({
      HARNESS_VERSION,
      version,
      transport: req.transport,
      node: req.transport === 'inprocess' ? process.versions.napi : undefined,
      top: req.top,
      parameters: Object.entries(req.parameters)
        .map(([k, v]) => [k, String(v)])
        .sort(),
    }),
  );
  const files = new Set(req.sources);
  for (const dir of req.searchDirs) {
    for (const name of (await readdir(dir)).sort()) if (VERILOG_FILE.test(name)) files.add(join(dir, name));
  }
  for (const file of [...files].sort()) {
    hash.update(`\0${file}\0`);
    hash.update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 16);
}

/** Builds the model for `req`, or finds it in the cache. */
export async function buildModel(req: BuildRequest): Promise<BuiltModel> {
  for (const file of req.sources) {
    if (!existsSync(file)) throw new CaxError('E_USAGE', `no such Verilog source: ${file}`);
  }
  await mkdir(req.cacheDir, { recursive: true });
  const final = join(req.cacheDir, `${req.top}-${await buildKey(req)}`);
  const header = (dir: string): string => join(dir, 'obj', `V${req.top}.h`);
  const executable = join(final, req.transport === 'inprocess' ? 'model.node' : 'sim');
  if (existsSync(executable)) {
    return { executable, transport: req.transport, ports: parsePorts(await readFile(header(final), 'utf8'), header(final)), compiled: false };
  }
  // Build in a private directory and rename it into place, so concurrent builds of the same block never see half a build.
  const work = join(req.cacheDir, `.tmp-${req.top}-${randomBytes(6).toString('hex')}`);
  try {
    const common = [
      '--cc',
      '-Wno-fatal',
      '--top-module',
      req.top,
      '--Mdir',
      'obj',
      ...req.searchDirs.flatMap((d) => ['-y', d]),
      ...Object.entries(req.parameters).map(([k, v]) => parameterFlag(k, v)),
      ...req.sources,
    ];
    await mkdir(work, { recursive: true });
    await tool(common, work, `verilating ${req.top}`);
    const ports = parsePorts(await readFile(header(work), 'utf8'), header(work));
    await writeFile(join(work, 'harness.cpp'), harnessSource(req.top, ports));
    await tool(
      [...common, '--exe', join(work, 'harness.cpp'), '--build', '-j', '2', ...(req.transport === 'inprocess' ? await addonFlags(work) : ['-o', '../sim'])],
      work,
      `compiling the ${req.top} model`,
    );
    try {
      await rename(work, final);
    } catch (e) {
      if (!existsSync(executable)) throw e; // someone else finished the same build first: theirs is as good
    }
    return { executable, transport: req.transport, ports, compiled: true };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Verilator flags that link the model and the harness as a Node-API addon (position-independent, Verilator's prints and $finish kept in the harness). */
async function addonFlags(work: string): Promise<string[]> {
  const include = nodeIncludeDir();
  if (include === undefined) throw new CaxError('E_BRIDGE_BUILD', "the inprocess transport needs Node's C headers (node_api.h): install them or use the process transport");
  const printf = join(work, 'cax_printf.h');
  await writeFile(printf, PRINTF_HEADER);
  const cflags = ['-fPIC', '-DCAX_BRIDGE_NAPI', '-DVL_USER_FINISH', '-DVL_USER_STOP', '-DVL_USER_FATAL', `-I${include}`, '-include', printf];
  return [...cflags.flatMap((f) => ['-CFLAGS', f]), '-LDFLAGS', '-shared', '-o', '../model.node'];
}

/** Default search dirs: the directories of the sources, so `cax_uart.v` finds `cax_uart_tx.v` beside it. */
export function sourceDirs(sources: readonly string[]): string[] {
  return [...new Set(sources.map((s) => dirname(s)))];
}

/** The default top module: the first source's file name without extension. */
export function defaultTop(sources: readonly string[]): string {
  const first = sources[0];
  if (first === undefined) throw new CaxError('E_USAGE', 'Dut.build needs at least one Verilog source');
  return basename(first).replace(VERILOG_FILE, '');
}
