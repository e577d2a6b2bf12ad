// `cax snapshot take FILE|REF [ARGS…] --at N --out SNAP` (run a TEL
// definition of a file on the interpreter or compiled on the ISS, or a stored
// definition in the executor with its context tree, on the interpreter or
// compiled on a co-processor — iss, sim, device —, and save the snapshot before its N-th
// effect, content-addressed) and `cax snapshot restore SNAP` (restore it, in
// this process, and run on to the end: the same output as `cax eval` or
// `cax run` of the whole run; `--balances` restores the world only with other
// balances, `--context` one context subtree). docs/debugging.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { runToJson } from '../../tel/interp.js';
import { parseWorld } from '../../tel/world.js';
import { BalancesSchema, checkSnapshotProgram, decodeSnapshot, encodeSnapshot, restoreAndContinue, runWithSnapshots, snapshotFormat, type Balances, type SnapshotRun } from '../../debug/snapshot.js';
import { CONTEXT_SNAPSHOT_FORMAT, decodeContextSnapshot, encodeContextSnapshot, restoreContextSnapshot, restoreSubtree, runWithContextSnapshots } from '../../debug/context-snapshot.js';
import { parsePolicy } from '../../execution/policy.js';
import { CORE_SNAPSHOT_FORMAT, decodeCoreSnapshot, encodeCoreSnapshot, restoreCoreSnapshot, runWithCoreSnapshots, type CoreRun } from '../../debug/core-snapshot.js';
import { BACKENDS } from '../../coprocessor/backend.js';
import { emitRun, target, withStore } from './store.js';
import { readJson, readText } from '../files.js';
import { parseOptions } from '../options.js';
import type { CommandContext, Register } from '../program.js';

const TakeOptions = z.object({
  main: z
    .string()
    .regex(/^[a-z_][A-Za-z0-9_']*$/, 'a definition name')
    .optional(),
  world: z.string().min(1).optional(),
  policy: z.string().min(1).optional(),
  backend: z.enum(['interp', ...BACKENDS]).default('interp'),
  port: z.string().min(1).optional(),
  at: z.coerce.number().int().min(0),
  out: z.string().min(1),
});

const RestoreOptions = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex')
    .optional(),
  program: z.string().min(1).optional(),
  balances: z.string().min(1).optional(),
  context: z.string().min(1).optional(),
  port: z.string().min(1).optional(),
});

/** Writes the snapshot and prints its address. */
function saved(ctx: CommandContext, out: string, at: number, encoded: { readonly bytes: Uint8Array; readonly id: string }, state: Readonly<Record<string, number>>): void {
  const { bytes, id } = encoded;
  writeFileSync(resolve(ctx.io.cwd, out), bytes);
  const shown = Object.entries(state).map(([k, v]) => `${k} ${v}`);
  ctx.emit({ id, bytes: bytes.length, position: { effects: at }, ...state }, () => `${id} ${out} (${bytes.length} bytes, before effect ${at}, ${shown.join(', ')})`);
}

/** The balances of a world-only restore, from a JSON file (E_WORLD when they are not balances). */
function readBalances(ctx: CommandContext, path: string): Balances {
  const parsed = BalancesSchema.safeParse(readJson(ctx.io, path));
  if (!parsed.success) throw new CaxError('E_WORLD', `${path}: not balances (timeline → account → asset → integer): ${parsed.error.issues[0]!.message}`);
  return parsed.data;
}

/** A restored co-processor run: value, effects, clock, cycles, instructions, heap and balances. */
function reportCore(ctx: CommandContext, r: CoreRun): void {
  const json = { value: r.shown, effects: r.effects.map((e) => ({ ...e })), clock: r.clock, cycles: r.cycles, instret: r.instret, heapBytes: r.heapBytes, balances: r.balances };
  if (r.error) throw new CaxError(r.error.code, r.error.message, { span: r.error.span, details: json });
  ctx.emit(json, () => `${r.shown!}\nclock: ${r.clock}  cycles: ${r.cycles}  effects: ${r.effects.length}`);
}

function report(ctx: CommandContext, r: SnapshotRun): void {
  const json = { ...runToJson(r), steps: r.steps, memory: r.memory, balances: r.balances };
  if (r.error) throw new CaxError(r.error.code, r.error.message, { span: r.error.span, details: json });
  ctx.emit(json, () => `${r.shown!} :: ${r.type}\nclock: ${r.clock}  steps: ${r.steps}  effects: ${r.effects.length}`);
}

export const registerSnapshot: Register = (program, ctx) => {
  const snapshot = program.command('snapshot').description('snapshots of interpreter, executor and co-processor (ISS, simulation, device) runs at effect boundaries (docs/debugging.md)');
  snapshot
    .command('take <file|ref> [args...]')
    .description(
      'run a TEL definition of a file (interpreter), or a stored definition (executor, with its context tree), and save the snapshot taken before its N-th effect (0 = the first); prints its SHA-256',
    )
    .option('--main <name>', 'the definition of FILE to run; ARGS are TEL expressions passed to it')
    .requiredOption('--at <n>', 'the effect boundary: how many effects are in the log')
    .requiredOption('--out <file>', 'where to write the snapshot (msgpack)')
    .option('--world <file>', 'the world as JSON (docs/tel.md)')
    .option('--policy <file>', 'the sandbox policy of a stored definition, as for cax run')
    .option(
      '--backend <name>',
      `interp, or compiled on a co-processor: ${BACKENDS.join(', ')} (the snapshot also holds the core: on iss its registers and written pages, on sim and device its memory read over the serial protocol)`,
      'interp',
    )
    .option('--port <path>', 'serial port of the device backend (as for cax device)')
    .exitOverride()
    .action(async (path: string, args: string[], raw: Record<string, unknown>) => {
      const o = parseOptions(TakeOptions, raw);
      const world = o.world ? parseWorld(readJson(ctx.io, o.world), o.world) : undefined;
      const wanted = (i: number): boolean => i === o.at;
      const none = (effects: number): CaxError => new CaxError('E_USAGE', `the run has ${effects} effects: no boundary ${o.at}`);
      if (existsSync(resolve(ctx.io.cwd, path)) || path.endsWith('.tel')) {
        if (o.main === undefined || o.policy !== undefined) throw new CaxError('E_USAGE', 'a snapshot of a file takes --main NAME (and no --policy: that is for stored definitions)');
        const spec = { file: path, source: readText(ctx.io, path), main: o.main, args, world };
        if (o.backend === 'sim' || o.backend === 'device')
          throw new CaxError('E_UNSUPPORTED', `snapshots of a file's definition run on ${o.backend}: add it to the store and snapshot the stored definition`);
        if (o.backend === 'iss') {
          const core = await runWithCoreSnapshots(spec, wanted);
          if (!core.snapshots[0]) throw none(core.result.effects.length);
          const { pc, instret, pages } = core.snapshots[0].state;
          return saved(ctx, o.out, o.at, encodeCoreSnapshot(core.snapshots[0]), { pc, instret, pages: pages.length });
        }
        const { result, snapshots } = runWithSnapshots(spec, wanted);
        if (!snapshots[0]) throw none(result.effects.length);
        return saved(ctx, o.out, o.at, encodeSnapshot(snapshots[0]), { clock: snapshots[0].state.clock, steps: snapshots[0].state.steps });
      }
      if (o.main !== undefined) throw new CaxError('E_USAGE', `--main is for a file's definition; ${path} is a stored reference (run in the executor)`);
      const policy = o.policy ? parsePolicy(readJson(ctx.io, o.policy), o.policy) : undefined;
      await withStore(ctx, async (repo) => {
        const spec = { hash: target(repo, path), args, backend: o.backend, ...(o.port ? { device: o.port } : {}), ...(world ? { world } : {}), ...(policy ? { policy } : {}) };
        const { result, snapshots } = await runWithContextSnapshots(repo, spec, wanted);
        if (!snapshots[0]) throw none(result.effects.length);
        const { clock, steps, core, link } = snapshots[0].state;
        const coreShown: Record<string, number> = core ? { pc: core.pc, instret: core.instret, pages: core.pages.length } : link ? { requests: link.calls.length, pages: link.pages.length } : {};
        saved(ctx, o.out, o.at, encodeContextSnapshot(snapshots[0]), { clock, steps, ...coreShown });
      });
    });
  snapshot
    .command('restore <snapshot>')
    .description('restore a snapshot (replayed to its boundary and checked) and run on to the end')
    .option('--id <sha256>', 'refuse the file unless its bytes hash to this')
    .option('--program <file>', 'refuse an interpreter snapshot unless it is of this TEL source')
    .option('--balances <file>', "restore the world only: these balances (JSON) instead of the snapshot's, the run as replayed")
    .option('--context <id>', 'restore one context subtree of an executor snapshot: run on until that context closes')
    .option('--port <path>', 'serial port of the device a snapshot of a device run is restored on')
    .exitOverride()
    .action(async (path: string, raw: Record<string, unknown>) => {
      const o = parseOptions(RestoreOptions, raw);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(resolve(ctx.io.cwd, path)));
      } catch (e) {
        throw new CaxError('E_IO', `cannot read ${path}: ${(e as Error).message}`);
      }
      const balances = o.balances ? readBalances(ctx, o.balances) : undefined;
      const format = snapshotFormat(bytes);
      if (format === CORE_SNAPSHOT_FORMAT) {
        if (o.context) throw new CaxError('E_USAGE', '--context restores a context subtree of an executor snapshot (of a stored definition)');
        const snap = decodeCoreSnapshot(bytes, o.id);
        if (o.program) checkSnapshotProgram(snap, readText(ctx.io, o.program));
        return reportCore(ctx, await restoreCoreSnapshot(snap, balances ? { balances } : {}));
      }
      if (format !== CONTEXT_SNAPSHOT_FORMAT) {
        if (o.context) throw new CaxError('E_USAGE', '--context restores a context subtree of an executor snapshot (of a stored definition)');
        const snap = decodeSnapshot(bytes, o.id);
        if (o.program) checkSnapshotProgram(snap, readText(ctx.io, o.program));
        return report(ctx, restoreAndContinue(snap, balances ? { balances } : {}));
      }
      if (o.program) throw new CaxError('E_USAGE', '--program checks an interpreter snapshot; an executor snapshot names its stored definition by hash');
      const snap = decodeContextSnapshot(bytes, o.id);
      const device = o.port ? { device: o.port } : {};
      await withStore(ctx, async (repo) => {
        if (o.context === undefined) return emitRun(ctx, await restoreContextSnapshot(repo, snap, { ...device, ...(balances ? { balances } : {}) }));
        if (balances) throw new CaxError('E_USAGE', '--balances and --context are two different partial restorations: give one');
        const r = await restoreSubtree(repo, snap, o.context, device);
        const consumed = r.report.consumed;
        ctx.emit({ ...r }, () =>
          [
            `${r.report.context} ${r.report.name ?? r.report.hash ?? ''}: ${r.end.kind === 'return' ? `returned ${r.end.value}` : r.end.kind === 'error' ? `failed ${r.end.code}` : r.end.kind}`,
            `clock: ${r.clock}`,
            `usage: ${consumed.computeSteps} steps, ${consumed.memoryBytes} bytes, ${consumed.effects} effects, ${consumed.ioOps} I/O`,
            `events: ${r.events.length}; kept as in the snapshot: ${[...r.kept.open, ...r.kept.closed].map((c) => c.context).join(', ') || 'none'}`,
          ].join('\n'),
        );
      });
    });
};
