// Snapshots of executor runs at effect boundaries (docs/debugging.md): a stored
// definition run by the executor, with the context tree its invocations open.
// A snapshot is taken just before the run's N-th logged effect reaches the
// sandbox and holds, besides the clock, usage and effect log: every open
// context with its grant and usage (limits, consumed), the contexts closed so
// far with their final usage, the acting context, the sandbox's counters, the
// trace so far (its length and SHA-256), and the world's calls so far (each
// request with the answer the world gave) and state. Like interpreter
// snapshots (snapshot.ts) it restores by checked replay: the run starts again
// in a fresh executor, the world's first calls are answered from the
// snapshot, at the boundary everything above is compared with the snapshot
// (any difference is E_SNAPSHOT) and the world's state is loaded; then the run
// goes on to the same end. Partial restoration: the world only (other
// balances), or one context subtree — the run restored to the boundary is
// continued until that context closes and stopped there, the rest of the tree
// kept as the snapshot has it. A run on the iss backend (the definition
// compiled, its effects through the same sandbox and scheduler) is followed
// instruction by instruction on a traced ISS: its snapshots also hold the
// program's state on the core (core-snapshot.ts: registers, pc, instructions,
// the pages it wrote), checked at the boundary of a restore too. A run on sim
// or device (or on iss with `link`) is followed over the serial protocol: its
// snapshots hold the program's memory and the host's requests to the core
// (link-snapshot.ts), and a restore answers those requests from the snapshot
// and writes the memory back into a fresh device instead of running the core
// to the boundary.
import { encode } from '@msgpack/msgpack';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import type { BackendName, Coprocessor } from '../coprocessor/backend.js';
import type { Image } from '../compiler/link.js';
import type { Iss } from '../riscv/iss.js';
import { Executor, type ContextReport, type ExecutionProbe, type ExecutionResult, type ProbeState } from '../execution/executor.js';
import { PolicySchema, type Policy } from '../execution/policy.js';
import type { TraceEvent } from '../execution/trace.js';
import type { Amounts } from '../resources/vector.js';
import type { Hash } from '../store/hash.js';
import type { Repository } from '../store/repository.js';
import { WorldSchema, type MemoryWorld, type WorldInput } from '../tel/world.js';
import { BoundaryMismatch, recordingWorld, ReplayedWorld, WorldCallSchema, type WorldCall } from './world-calls.js';
import { checkPages, coreDifferences, coreState, CoreStateSchema, newTrace, programTrace, type CoreState } from './core-snapshot.js';
import { tracedCoprocessor } from './traced-iss.js';
import { LinkStateSchema, recordLink, replayLink } from './link-snapshot.js';
import { atBoundaries, BalancesSchema, decodeAddressed, EffectEntrySchema, normalEntry, sha256, type Balances } from './snapshot.js';

export const CONTEXT_SNAPSHOT_FORMAT = 'cax-context-snapshot/1';

const AmountsSchema = z.object({ computeSteps: z.number(), memoryBytes: z.number(), effects: z.number(), ioOps: z.number() }).strict();

const ContextSchema = z
  .object({
    context: z.string(),
    parent: z.string().nullable(),
    hash: z.string().nullable(),
    name: z.string().nullable(),
    consumed: AmountsSchema,
    limits: AmountsSchema,
    released: z.boolean(),
  })
  .strict();

export const ContextSnapshotSchema = z
  .object({
    format: z.literal(CONTEXT_SNAPSHOT_FORMAT),
    entry: z.object({ hash: z.string().regex(/^[0-9a-f]{64}$/), args: z.array(z.string()) }).strict(),
    policy: PolicySchema,
    world: WorldSchema,
    /** The boundary: this many effects are logged, the next is about to reach the sandbox. */
    position: z.object({ effects: z.number().int().min(0) }).strict(),
    state: z
      .object({
        clock: z.number().int(),
        steps: z.number().int(),
        memory: z.number().int(),
        effects: z.array(EffectEntrySchema),
        worldCalls: z.array(WorldCallSchema),
        balances: BalancesSchema,
        receipts: z.record(z.string(), z.number().int()),
        contexts: z.object({ open: z.array(ContextSchema), closed: z.array(ContextSchema), active: z.string() }).strict(),
        sandbox: z.object({ effects: z.number(), ioOps: z.number(), steps: z.number(), memoryBytes: z.number() }).strict(),
        trace: z.object({ events: z.number().int().min(0), sha256: z.string() }).strict(),
        /** A run on the iss backend followed instruction by instruction: the program's state on the core. */
        core: CoreStateSchema.optional(),
        /** A run on a co-processor over the serial protocol (sim, device; iss with `link`): its memory and its requests to the core (link-snapshot.ts). */
        link: LinkStateSchema.optional(),
      })
      .strict(),
  })
  .strict();

export type ContextSnapshot = z.infer<typeof ContextSnapshotSchema>;
type ContextState = z.infer<typeof ContextSchema>;

/** An executor run to snapshot: a stored definition, its arguments (TEL expressions), the world, the policy and where it runs (default: the interpreter). */
export interface ContextRunSpec {
  readonly hash: Hash;
  readonly args: readonly string[];
  readonly world?: WorldInput;
  readonly policy?: Policy;
  readonly backend?: 'interp' | BackendName;
  /** On iss: follow the core over the serial protocol, as on sim and device, instead of instruction by instruction. */
  readonly link?: boolean;
  /** The serial port of the device backend. */
  readonly device?: string;
}

/** The snapshot's bytes and their address. */
export function encodeContextSnapshot(s: ContextSnapshot): { readonly bytes: Uint8Array; readonly id: string } {
  const bytes = encode(s);
  return { bytes, id: sha256(bytes) };
}

/** Decodes and validates a context snapshot; with `id` the bytes must hash to it, a core's pages to their names (E_SNAPSHOT otherwise). */
export function decodeContextSnapshot(bytes: Uint8Array, id?: string): ContextSnapshot {
  const snap = decodeAddressed(bytes, id, CONTEXT_SNAPSHOT_FORMAT, ContextSnapshotSchema);
  if (snap.state.core) checkPages(snap.state.core);
  if (snap.state.link) checkPages(snap.state.link);
  return snap;
}

/** Amounts in one key order (allocators build them in different orders), so that states compare as JSON. */
function amounts(a: Amounts): Amounts {
  return { computeSteps: a.computeSteps, memoryBytes: a.memoryBytes, effects: a.effects, ioOps: a.ioOps };
}

function contextState(r: ContextReport): ContextState {
  return { context: r.context, parent: r.parent ?? null, hash: r.hash ?? null, name: r.name ?? null, consumed: amounts(r.consumed), limits: amounts(r.limits), released: r.released };
}

function traceDigest(events: readonly TraceEvent[]): { events: number; sha256: string } {
  return { events: events.length, sha256: sha256(JSON.stringify(events)) };
}

/** The state a snapshot holds at a boundary (`core`: on the iss backend). */
function stateAt(s: ProbeState, world: MemoryWorld, calls: readonly WorldCall[], core: CoreState | undefined): ContextSnapshot['state'] {
  return {
    clock: s.clock,
    steps: s.steps,
    memory: s.memory,
    effects: s.log.map((e) => ({ ...e, args: [...e.args] })),
    worldCalls: calls.map((c) => ({ ...c })),
    balances: world.snapshot(),
    receipts: world.receiptCounts(),
    contexts: { open: s.open.map(contextState), closed: s.closed.map(contextState), active: s.active },
    sandbox: { ...s.sandbox },
    trace: traceDigest(s.trace),
    ...(core ? { core } : {}),
  };
}

/** A run's core on the iss backend: the traced ISS the executor runs the image on, and the program's state on it. */
interface CoreFollower {
  coprocessor(image: Image): Promise<Coprocessor>;
  state(): CoreState;
}

function followCore(): CoreFollower {
  const trace = newTrace();
  let iss: Iss | null = null;
  return {
    coprocessor: (image) => tracedCoprocessor((i) => programTrace((iss = i), image, trace)),
    state: () => {
      if (!iss) throw new CaxError('E_INTERNAL', 'an effect boundary before the core ran');
      return coreState(iss, trace);
    },
  };
}

/** Where the core of a run to snapshot or restore is: the backend, and the co-processor the image runs on there. */
interface OnCore {
  readonly backend: BackendName;
  coprocessor(image: Image): Promise<Coprocessor>;
}

/** A fresh executor (fresh allocator: the same context ids on every run) on the spec's policy; the JIT is off, as the debugger runs; on a co-processor, the image runs on `core`'s. */
async function execute(repo: Repository, spec: ContextRunSpec, probe: ExecutionProbe, core: OnCore | undefined): Promise<ExecutionResult> {
  const executor = new Executor({ repo, ...(spec.policy ? { policy: spec.policy } : {}) });
  const backend = core ? { backend: { name: core.backend } } : {};
  return executor.executeByHash(spec.hash, { args: spec.args, world: spec.world ?? {}, jit: 'off', probe: { ...probe, ...(core ? { coprocessor: core.coprocessor } : {}) }, ...backend });
}

/** Runs `spec` in the executor and takes a snapshot at every effect boundary `wanted` accepts (all by default). */
export async function runWithContextSnapshots(
  repo: Repository,
  spec: ContextRunSpec,
  wanted: (index: number) => boolean = () => true,
): Promise<{ readonly result: ExecutionResult; readonly snapshots: ContextSnapshot[] }> {
  const snapshots: ContextSnapshot[] = [];
  const calls: WorldCall[] = [];
  let world: MemoryWorld | null = null;
  const policy = spec.policy ?? PolicySchema.parse({});
  const onCore = spec.backend !== undefined && spec.backend !== 'interp';
  const core = onCore && spec.backend === 'iss' && spec.link !== true ? followCore() : undefined;
  const link = onCore && !core ? recordLink(spec.backend as BackendName, spec.device) : undefined;
  // the core over the link is read at the next request to it after the boundary (the effect handlers cannot wait)
  let captureFailed: unknown;
  const captures: Promise<void>[] = [];
  const result = await execute(
    repo,
    spec,
    {
      world: (w) => recordingWorld((world = w), calls),
      handlers: (inner, state) =>
        atBoundaries(
          () => inner,
          () => {
            const s = state();
            if (!wanted(s.log.length)) return;
            const snap: ContextSnapshot = {
              format: CONTEXT_SNAPSHOT_FORMAT,
              entry: { hash: spec.hash, args: [...spec.args] },
              policy,
              world: spec.world ?? {},
              position: { effects: s.log.length },
              state: stateAt(s, world!, calls, core?.state()),
            };
            snapshots.push(snap);
            if (link) {
              captures.push(
                link.capture().then(
                  (l) => void (snap.state.link = l),
                  (e: unknown) => void (captureFailed ??= e),
                ),
              );
            }
          },
        ),
    },
    core ? { backend: 'iss', coprocessor: core.coprocessor } : link ? { backend: spec.backend as BackendName, coprocessor: link.coprocessor } : undefined,
  );
  await Promise.all(captures);
  if (captureFailed !== undefined) throw captureFailed;
  return { result, snapshots };
}

/** What to keep of the snapshot when restoring: everything, or its run with other world balances (the world only). */
export interface ContextRestoreOptions {
  readonly balances?: Balances;
  /** Stop when this context closes (one context subtree; see restoreSubtree). */
  readonly until?: string;
  /** The serial port of a snapshot of a device run. */
  readonly device?: string;
}

/** How a restored run ended: at its end, or when the context it was restored for closed. */
type Restored = { readonly kind: 'end'; readonly result: ExecutionResult } | { readonly kind: 'closed'; readonly report: ContextReport; readonly state: ProbeState };

class Closed extends Error {
  constructor(
    readonly report: ContextReport,
    readonly state: ProbeState,
  ) {
    super('closed');
  }
}

async function restore(repo: Repository, snap: ContextSnapshot, options: ContextRestoreOptions): Promise<Restored> {
  const n = snap.position.effects;
  const want = snap.state;
  if (n !== want.effects.length) throw new CaxError('E_SNAPSHOT', `the snapshot's position ${n} is not the length of its effect log (${want.effects.length})`);
  if (!repo.has(snap.entry.hash)) throw new CaxError('E_SNAPSHOT', `the snapshot is of @${snap.entry.hash}, which is not in this store`);
  let world = null as ReplayedWorld | null;
  let state: (() => ProbeState) | null = null;
  const core = want.core ? followCore() : undefined;
  const link = want.link ? replayLink(want.link, options.device) : undefined;
  const probe: ExecutionProbe = {
    world: (w) => (world = new ReplayedWorld(w, want.worldCalls)).handlers(),
    handlers: (inner, read) => {
      state = read;
      return atBoundaries(
        () => inner,
        () => {
          if (world!.live || read().log.length < n) return;
          checkBoundary(snap, read(), world!.replayed, core?.state());
          link?.boundary();
          world!.world.restoreState(options.balances ?? want.balances, want.receipts);
          world!.live = true;
        },
      );
    },
    closed: (report) => {
      if (world?.live === true && report.context === options.until) throw new Closed(report, state!());
    },
  };
  try {
    const onCore = core ? { backend: 'iss' as const, coprocessor: core.coprocessor } : link ? { backend: want.link!.backend, coprocessor: link.coprocessor } : undefined;
    const result = await execute(repo, { hash: snap.entry.hash, args: snap.entry.args, world: snap.world, policy: snap.policy }, probe, onCore);
    if (world?.live !== true) throw new CaxError('E_SNAPSHOT', `the replay ended after ${result.effects.length} effects, before the snapshot's boundary at ${n}`);
    return { kind: 'end', result };
  } catch (e) {
    if (e instanceof BoundaryMismatch) throw new CaxError('E_SNAPSHOT', e.message);
    if (e instanceof Closed) return { kind: 'closed', report: e.report, state: e.state };
    throw e;
  }
}

/** Restores `snap` (replaying to its boundary, checked) in a fresh executor over `repo` and runs on to the end. */
export async function restoreContextSnapshot(repo: Repository, snap: ContextSnapshot, options: { readonly balances?: Balances; readonly device?: string } = {}): Promise<ExecutionResult> {
  const r = await restore(repo, snap, options);
  if (r.kind !== 'end') throw new CaxError('E_INTERNAL', 'a whole restore stopped at a context');
  return r.result;
}

/** One context subtree restored and run to its close. */
export interface SubtreeResult {
  /** The context's final usage (its subtree's included) and how it ended (its `return` or `error` trace event). */
  readonly report: ContextReport;
  readonly end: TraceEvent;
  /** The trace events of the subtree's contexts, from the run's start to the close. */
  readonly events: readonly TraceEvent[];
  readonly clock: number;
  /** The rest of the tree as the snapshot has it (kept, not run on). */
  readonly kept: { readonly open: readonly ContextState[]; readonly closed: readonly ContextState[] };
}

/**
 * Partial restoration of one context subtree: `context` must be open at the snapshot's boundary. The run is restored
 * to the boundary (checked) and continued until that context closes, then stopped: its final usage, its end and its
 * subtree's trace events are the ones the uninterrupted run has; the other contexts stay as the snapshot has them.
 */
export async function restoreSubtree(repo: Repository, snap: ContextSnapshot, context: string, options: { readonly device?: string } = {}): Promise<SubtreeResult> {
  const open = snap.state.contexts.open;
  if (!open.some((c) => c.context === context))
    throw new CaxError('E_SNAPSHOT', `context ${context} is not open at the snapshot's boundary (open: ${open.map((c) => c.context).join(', ') || 'none'})`);
  const r = await restore(repo, snap, { ...options, until: context });
  if (r.kind !== 'closed') throw new CaxError('E_SNAPSHOT', `the restored run ended without closing context ${context}`);
  const subtree = subtreeOf(r.state.trace, context);
  const events = r.state.trace.filter((e) => subtree.has(e.context));
  const end = [...events].reverse().find((e) => e.context === context && (e.kind === 'return' || e.kind === 'error'))!;
  return {
    report: r.report,
    end,
    events,
    clock: r.state.clock,
    kept: { open: open.filter((c) => !subtree.has(c.context)), closed: snap.state.contexts.closed.filter((c) => !subtree.has(c.context)) },
  };
}

/** The contexts of the subtree rooted at `root`, by the trace's invoke events (each names its parent). */
export function subtreeOf(trace: readonly TraceEvent[], root: string): Set<string> {
  const inside = new Set([root]);
  for (const e of trace) if (e.kind === 'invoke' && e.parent !== undefined && inside.has(e.parent)) inside.add(e.context);
  return inside;
}

/** The replayed run at the boundary must be where the snapshot says it was: clock, usage, log, context tree, sandbox, trace, world calls and the core. */
function checkBoundary(snap: ContextSnapshot, s: ProbeState, worldCalls: number, core: CoreState | undefined): void {
  const want = snap.state;
  const differs: string[] = [];
  const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
  if (s.clock !== want.clock) differs.push(`clock ${s.clock} vs ${want.clock}`);
  if (s.steps !== want.steps) differs.push(`steps ${s.steps} vs ${want.steps}`);
  if (s.memory !== want.memory) differs.push(`memory ${s.memory} vs ${want.memory}`);
  if (!same(s.log.map(normalEntry), want.effects.map(normalEntry))) differs.push('effect log');
  if (!same(s.open.map(contextState), want.contexts.open)) differs.push('open contexts (grants and usage)');
  if (!same(s.closed.map(contextState), want.contexts.closed)) differs.push('closed contexts');
  if (s.active !== want.contexts.active) differs.push(`acting context ${s.active} vs ${want.contexts.active}`);
  if (!same(s.sandbox, want.sandbox)) differs.push('sandbox counters');
  if (!same(traceDigest(s.trace), want.trace)) differs.push('trace');
  if (worldCalls !== want.worldCalls.length) differs.push(`world calls ${worldCalls} vs ${want.worldCalls.length}`);
  if (want.core && core) differs.push(...coreDifferences(want.core, core).map((d) => `core ${d}`));
  if (differs.length > 0) throw new BoundaryMismatch(`the replay does not reach the snapshot's state: ${differs.join(', ')}`);
}
