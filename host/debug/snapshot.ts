// Snapshots of interpreter runs at effect boundaries (docs/debugging.md): taken
// just before the run's N-th effect reaches the world, serialized with
// msgpack and addressed by the SHA-256 of that encoding. A snapshot holds
// the program, the entry, the world input, the budget, and the state at the
// boundary: clock, steps, memory, the effect log so far and the world's
// balances and receipt counters. The machine's stack and heap hold JS
// closures (compiled code, effect continuations), which no encoding can carry,
// so restoring rebuilds them by deterministic replay: the run starts again,
// its first N effects are answered from the snapshot's log (the world is not
// touched), at the boundary the clock, usage and log are checked against the
// snapshot (a mismatch is E_SNAPSHOT) and the world is restored from the
// snapshot's state; from there the run continues against that world.
// Restoring the world's state only (`world` override) keeps the replayed
// machine and swaps in other balances.
import { createHash } from 'node:crypto';
import { decode, encode } from '@msgpack/msgpack';
import { z } from 'zod';
import { CaxError, ErrorCodeSchema } from '../errors.js';
import { loadProgram, runMain, type RunResult } from '../tel/interp.js';
import { DEFAULT_BUDGET, type Budget, type Machine } from '../tel/machine.js';
import { parseExpression, parseProgramAll } from '../tel/parser.js';
import type { EffectEntry, Scheduler } from '../tel/scheduler.js';
import { MemoryWorld, WorldSchema, ledgerUndo, replayHandlers, type EffectHandlers, type Outcome, type WorldInput } from '../tel/world.js';
import type { LedgerRequest } from '../tel/runtime.js';
import type { JitMode } from '../tel/jit/tier.js';

export const SNAPSHOT_FORMAT = 'cax-snapshot/1';

export type Balances = Record<string, Record<string, Record<string, number>>>;

export const EffectEntrySchema = z.object({
  start: z.number().int(),
  time: z.number().int(),
  timeline: z.string().nullable(),
  kind: z.enum(['deposit', 'withdraw', 'transfer', 'observe', 'emit']),
  args: z.array(z.union([z.string(), z.number()])),
  result: z.union([z.string(), z.number()]).nullable(),
  error: z.object({ code: ErrorCodeSchema, message: z.string() }).optional(),
  rolledBack: z.boolean().optional(),
});

export const BalancesSchema = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.number().int())));

export const SnapshotSchema = z
  .object({
    format: z.literal(SNAPSHOT_FORMAT),
    program: z.object({ file: z.string(), source: z.string(), hash: z.string().regex(/^[0-9a-f]{64}$/) }),
    entry: z.object({ main: z.string(), args: z.array(z.string()) }),
    world: WorldSchema,
    start: z.number().int().min(0),
    budget: z.object({ steps: z.number().int().positive(), memory: z.number().int().positive() }),
    jit: z.enum(['auto', 'off', 'eager']),
    /** The boundary: this many effects are in the log, the next one is about to reach the world. */
    position: z.object({ effects: z.number().int().min(0) }),
    state: z.object({
      clock: z.number().int(),
      steps: z.number().int(),
      memory: z.number().int(),
      effects: z.array(EffectEntrySchema),
      balances: BalancesSchema,
      receipts: z.record(z.string(), z.number().int()),
    }),
  })
  .strict();

export type Snapshot = z.infer<typeof SnapshotSchema>;

/** What a run to snapshot is: a program's source, its entry and world. */
export interface RunSpec {
  readonly file: string;
  readonly source: string;
  readonly main: string;
  /** TEL expressions passed to `main`. */
  readonly args: readonly string[];
  readonly world?: WorldInput;
  readonly start?: number;
  readonly budget?: Budget;
  readonly jit?: JitMode;
}

export function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The snapshot's bytes and their address. */
export function encodeSnapshot(s: Snapshot): { readonly bytes: Uint8Array; readonly id: string } {
  const bytes = encode(s);
  return { bytes, id: sha256(bytes) };
}

/** The format a snapshot file says it has (undefined when the bytes are not msgpack with a format field: decoding then tells why). */
export function snapshotFormat(bytes: Uint8Array): string | undefined {
  try {
    const format = (decode(bytes) as { format?: unknown } | null)?.format;
    return typeof format === 'string' ? format : undefined;
  } catch {
    return undefined;
  }
}

/** Decodes msgpack bytes of one snapshot format and validates them with `schema`; with `id`, the bytes must hash to it. Truncated, corrupt or foreign bytes are E_SNAPSHOT. */
export function decodeAddressed<T>(bytes: Uint8Array, id: string | undefined, format: string, schema: z.ZodType<T, unknown>): T {
  if (id !== undefined && sha256(bytes) !== id) throw new CaxError('E_SNAPSHOT', `the snapshot's bytes hash to ${sha256(bytes)}, not ${id}`);
  let raw: unknown;
  try {
    raw = decode(bytes);
  } catch (e) {
    throw new CaxError('E_SNAPSHOT', `not a snapshot (truncated or corrupt): ${(e as Error).message}`);
  }
  const found = (raw as { format?: unknown } | null)?.format;
  if (typeof found === 'string' && found !== format) throw new CaxError('E_SNAPSHOT', `the snapshot is of format ${found}; this reads ${format}`);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new CaxError('E_SNAPSHOT', `not a snapshot: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Decodes and validates an interpreter snapshot (decodeAddressed), whose program must hash to the hash it names. */
export function decodeSnapshot(bytes: Uint8Array, id?: string): Snapshot {
  const snap = decodeAddressed(bytes, id, SNAPSHOT_FORMAT, SnapshotSchema);
  if (sha256(snap.program.source) !== snap.program.hash) throw new CaxError('E_SNAPSHOT', "the snapshot's program does not hash to the hash it names");
  return snap;
}

/** Refuses a snapshot of another program than `source` (compared by hash). */
export function checkSnapshotProgram(s: { readonly program: { readonly hash: string } }, source: string): void {
  const hash = sha256(source);
  if (hash !== s.program.hash) throw new CaxError('E_SNAPSHOT', `the snapshot is of program ${s.program.hash.slice(0, 12)}…, not of this one (${hash.slice(0, 12)}…)`);
}

/** Parses, checks and compiles the spec's program and arguments. */
export function loadSpec(spec: RunSpec) {
  const { program, errors } = parseProgramAll(spec.source, spec.file);
  if (errors.length > 0) throw errors[0]!;
  const loaded = loadProgram(program);
  const args = spec.args.map((a, i) => parseExpression(a, `<argument ${i + 1}>`));
  return { loaded, args };
}

/** Handlers that call `boundary` (with the effect's kind and timeline) before every logged effect reaches `inner` (`now` is not logged: it passes); the effect log's length is the boundary's index. */
export function atBoundaries(inner: () => EffectHandlers, boundary: (kind: EffectEntry['kind'], timeline: string | null) => void): EffectHandlers {
  return {
    latency: (tl) => inner().latency(tl),
    deposit: (req, t) => (boundary('deposit', req.timeline), inner().deposit(req, t)),
    withdraw: (req, t) => (boundary('withdraw', req.timeline), inner().withdraw(req, t)),
    transfer: (req, t) => (boundary('transfer', req.timeline), inner().transfer(req, t)),
    observe: (req, t) => (boundary('observe', req.timeline), inner().observe(req, t)),
    emit: (text, t) => (boundary('emit', null), inner().emit?.(text, t) ?? { ok: true, result: 0 }),
    now: (t) => inner().now?.(t) ?? { ok: true, result: t },
    rollback: (changes) => inner().rollback?.(changes) ?? { ok: true, result: changes.length },
  };
}

/** The observable state of a run in progress. */
interface Live {
  machine: Machine | null;
  scheduler: Scheduler | null;
}

function stateOf(live: Live, world: MemoryWorld): Snapshot['state'] {
  const m = live.machine!;
  const s = live.scheduler!;
  return {
    clock: s.clock,
    steps: m.steps,
    memory: m.heap,
    effects: s.log.map((e) => ({ ...e, args: [...e.args] })),
    balances: world.snapshot(),
    receipts: world.receiptCounts(),
  };
}

/** A run's result with the balances of the world it ended with. */
export type SnapshotRun = RunResult & { readonly balances: Balances };

/**
 * Runs `spec` and takes a snapshot at every effect boundary `wanted` accepts (all by default);
 * returns the run's result and the snapshots in boundary order.
 */
export function runWithSnapshots(spec: RunSpec, wanted: (index: number) => boolean = () => true): { readonly result: SnapshotRun; readonly snapshots: Snapshot[] } {
  const { loaded, args } = loadSpec(spec);
  const world = new MemoryWorld(spec.world ?? {});
  const live: Live = { machine: null, scheduler: null };
  const snapshots: Snapshot[] = [];
  const start = spec.start ?? spec.world?.start ?? 0;
  const budget = spec.budget ?? DEFAULT_BUDGET;
  const jit = spec.jit ?? 'off';
  const handlers = atBoundaries(
    () => world,
    () => {
      const index = live.scheduler!.log.length;
      if (!wanted(index)) return;
      snapshots.push({
        format: SNAPSHOT_FORMAT,
        program: { file: spec.file, source: spec.source, hash: sha256(spec.source) },
        entry: { main: spec.main, args: [...spec.args] },
        world: spec.world ?? {},
        start,
        budget: { ...budget },
        jit,
        position: { effects: index },
        state: stateOf(live, world),
      });
    },
  );
  const result = runMain(loaded, spec.main, args, {
    handlers,
    start,
    budget,
    jit,
    attach: (machine, scheduler) => Object.assign(live, { machine, scheduler }),
  });
  return { result: { ...result, balances: world.snapshot() }, snapshots };
}

/** What to keep of the snapshot when restoring: everything, or its machine only with other world balances. */
export interface RestoreOptions {
  /** Balances to restore instead of the snapshot's (partial restoration: the world's state only). */
  readonly balances?: Balances;
}

/** Restores `snap` (replaying to its boundary, checked) and runs on to the end. */
export function restoreAndContinue(snap: Snapshot, options: RestoreOptions = {}): SnapshotRun {
  const spec: RunSpec = { file: snap.program.file, source: snap.program.source, main: snap.entry.main, args: snap.entry.args };
  const { loaded, args } = loadSpec(spec);
  const n = snap.position.effects;
  if (n > snap.state.effects.length) throw new CaxError('E_SNAPSHOT', `the snapshot's position ${n} is past its effect log (${snap.state.effects.length})`);
  const world = new MemoryWorld(snap.world);
  const prefix = replayHandlers(snap.state.effects.slice(0, n), {});
  // Replayed ledger effects keep their undo, so a `<|` that fails after the boundary still rolls them back.
  const withUndo = (out: Outcome, req: LedgerRequest): Outcome => (out.ok ? { ...out, undo: ledgerUndo(req) } : out);
  const replaying: EffectHandlers = {
    ...prefix,
    latency: (tl) => world.latency(tl),
    deposit: (req, t) => withUndo(prefix.deposit(req, t), req),
    withdraw: (req, t) => withUndo(prefix.withdraw(req, t), req),
    transfer: (req, t) => withUndo(prefix.transfer(req, t), req),
  };
  const live: Live = { machine: null, scheduler: null };
  let restored = false;
  const handlers = atBoundaries(
    () => (restored ? world : replaying),
    () => {
      if (restored || live.scheduler!.log.length < n) return;
      checkBoundary(snap, live);
      world.restoreState(options.balances ?? snap.state.balances, snap.state.receipts);
      restored = true;
    },
  );
  let result: RunResult;
  try {
    result = runMain(loaded, spec.main, args, {
      handlers,
      start: snap.start,
      budget: snap.budget,
      jit: snap.jit,
      attach: (machine, scheduler) => Object.assign(live, { machine, scheduler }),
    });
  } catch (e) {
    if (e instanceof BoundaryMismatch) throw new CaxError('E_SNAPSHOT', e.message);
    throw e;
  }
  if (!restored) throw new CaxError('E_SNAPSHOT', `the replay ended after ${result.effects.length} effects, before the snapshot's boundary at ${n}`);
  return { ...result, balances: world.snapshot() };
}

/** Thrown from inside a handler past the scheduler (which turns a CaxError into the effect's failure); restore reports it as E_SNAPSHOT. */
class BoundaryMismatch extends Error {}

/** The replayed run at the boundary must be where the snapshot says it was. */
function checkBoundary(snap: Snapshot, live: Live): void {
  const m = live.machine!;
  const s = live.scheduler!;
  const want = snap.state;
  const differs: string[] = [];
  if (s.clock !== want.clock) differs.push(`clock ${s.clock} vs ${want.clock}`);
  if (m.steps !== want.steps) differs.push(`steps ${m.steps} vs ${want.steps}`);
  if (m.heap !== want.memory) differs.push(`memory ${m.heap} vs ${want.memory}`);
  if (JSON.stringify(s.log.map(normalEntry)) !== JSON.stringify(want.effects.slice(0, snap.position.effects).map(normalEntry))) differs.push('effect log');
  if (differs.length > 0) throw new BoundaryMismatch(`the replay does not reach the snapshot's state: ${differs.join(', ')}`);
}

/** An effect log entry as compared at a boundary (absent fields made explicit). */
export function normalEntry(e: EffectEntry): unknown {
  return [e.start, e.time, e.timeline, e.kind, e.args, e.result, e.error ?? null, e.rolledBack ?? false];
}
