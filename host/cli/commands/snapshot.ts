// `cax snapshot take FILE [ARGS…] --main NAME --at N --out SNAP` (run a TEL
// definition and save the snapshot before its N-th effect, content-addressed)
// and `cax snapshot restore SNAP` (restore it, in this process, and run on to
// the end: the same output as `cax eval` of the whole run). docs/debug.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { CaxError } from '../../errors.js';
import { runToJson } from '../../tel/interp.js';
import { parseWorld } from '../../tel/world.js';
import { checkSnapshotProgram, decodeSnapshot, encodeSnapshot, restoreAndContinue, runWithSnapshots, type SnapshotRun } from '../../debug/snapshot.js';
import { readJson, readText } from '../files.js';
import { parseOptions } from '../options.js';
import type { CommandContext, Register } from '../program.js';

const TakeOptions = z.object({
  main: z.string().regex(/^[a-z_][A-Za-z0-9_']*$/, 'a definition name'),
  world: z.string().min(1).optional(),
  at: z.coerce.number().int().min(0),
  out: z.string().min(1),
});

const RestoreOptions = z.object({
  id: z
    .string()
    .regex(/^[0-9a-f]{64}$/, 'a SHA-256 in hex')
    .optional(),
  program: z.string().min(1).optional(),
});

function report(ctx: CommandContext, r: SnapshotRun): void {
  const json = { ...runToJson(r), steps: r.steps, memory: r.memory, balances: r.balances };
  if (r.error) throw new CaxError(r.error.code, r.error.message, { span: r.error.span, details: json });
  ctx.emit(json, () => `${r.shown!} :: ${r.type}\nclock: ${r.clock}  steps: ${r.steps}  effects: ${r.effects.length}`);
}

export const registerSnapshot: Register = (program, ctx) => {
  const snapshot = program.command('snapshot').description('snapshots of interpreter runs at effect boundaries (docs/debug.md)');
  snapshot
    .command('take <file> [args...]')
    .description('run a TEL definition and save the snapshot taken before its N-th effect (0 = the first); prints its SHA-256')
    .requiredOption('--main <name>', 'the definition to run; ARGS are TEL expressions passed to it')
    .requiredOption('--at <n>', 'the effect boundary: how many effects are in the log')
    .requiredOption('--out <file>', 'where to write the snapshot (msgpack)')
    .option('--world <file>', 'the world as JSON (docs/tel.md)')
    .exitOverride()
    .action((path: string, args: string[], raw: Record<string, unknown>) => {
      const o = parseOptions(TakeOptions, raw);
      const source = readText(ctx.io, path);
      const world = o.world ? parseWorld(readJson(ctx.io, o.world), o.world) : undefined;
      const { result, snapshots } = runWithSnapshots({ file: path, source, main: o.main, args, world }, (i) => i === o.at);
      const snap = snapshots[0];
      if (!snap) throw new CaxError('E_USAGE', `the run has ${result.effects.length} effects: no boundary ${o.at}`);
      const { bytes, id } = encodeSnapshot(snap);
      writeFileSync(resolve(ctx.io.cwd, o.out), bytes);
      ctx.emit(
        { id, bytes: bytes.length, position: snap.position, clock: snap.state.clock, steps: snap.state.steps },
        () => `${id} ${o.out} (${bytes.length} bytes, before effect ${o.at}, clock ${snap.state.clock})`,
      );
    });
  snapshot
    .command('restore <snapshot>')
    .description('restore a snapshot (replayed to its boundary and checked) and run on to the end')
    .option('--id <sha256>', 'refuse the file unless its bytes hash to this')
    .option('--program <file>', 'refuse the snapshot unless it is of this TEL source')
    .exitOverride()
    .action((path: string, raw: Record<string, unknown>) => {
      const o = parseOptions(RestoreOptions, raw);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(resolve(ctx.io.cwd, path)));
      } catch (e) {
        throw new CaxError('E_IO', `cannot read ${path}: ${(e as Error).message}`);
      }
      const snap = decodeSnapshot(bytes, o.id);
      if (o.program) checkSnapshotProgram(snap, readText(ctx.io, o.program));
      report(ctx, restoreAndContinue(snap));
    });
};
