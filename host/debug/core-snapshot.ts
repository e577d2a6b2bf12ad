// Snapshots of co-processor runs at effect boundaries (docs/debugging.md): a
// TEL definition compiled and run on the ISS (traced-iss.ts); just before the
// run's N-th effect reaches the world — the core has handed the effect to the
// host and waits in the firmware — the snapshot takes the program's state on
// the core: the registers and pc after its latest instruction, the
// instructions it has retired, and every page of the program area (image,
// heap, stack) it has written (4 KiB each, their bytes stored once per
// content under their SHA-256), with the world's calls so far and its state.
// The firmware's own instructions are left out: its idle loop waits for the
// host a varying number of times. Encoded with msgpack and addressed by
// the SHA-256 of the encoding. The host's side of the run (the scheduler's
// continuations over heap references) is JS, so a restore replays as the
// other snapshots do: a fresh ISS runs the image again, the world's first
// calls are answered from the snapshot, and at the boundary the core must be
// exactly as the snapshot has it — every register, the pc, the count, the
// set of written pages and each page's bytes (any difference is E_SNAPSHOT)
// — before the world's state is loaded and the run goes on to the end.
import { encode } from '@msgpack/msgpack';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import type { CompiledRunResult } from '../coprocessor/backend.js';
import type { Image } from '../compiler/link.js';
import type { Iss } from '../riscv/iss.js';
import { MemoryWorld, WorldSchema } from '../tel/world.js';
import type { TraceRecord } from '../trace/record.js';
import { atBoundaries, BalancesSchema, decodeAddressed, sha256, type Balances, type RunSpec } from './snapshot.js';
import { compiledImage, registersAfter, runTraced } from './traced-iss.js';
import { BoundaryMismatch, recordingWorld, ReplayedWorld, WorldCallSchema, type WorldCall } from './world-calls.js';

export const CORE_SNAPSHOT_FORMAT = 'cax-core-snapshot/1';

export const PAGE_BYTES = 4096;
const PAGE_SHIFT = 12;
const HEX64 = /^[0-9a-f]{64}$/;

/** The program's state on the core at a boundary (also part of executor snapshots of runs on the ISS, context-snapshot.ts). */
export const CoreStateSchema = z
  .object({
    pc: z.number().int(),
    registers: z.array(z.number().int()).length(32),
    /** Instructions of the program (the image's code) retired so far. */
    instret: z.number().int(),
    /** Every page of the program area the program wrote, ascending: its address and the SHA-256 of its bytes. */
    pages: z.array(z.object({ address: z.number().int(), sha256: z.string().regex(HEX64) }).strict()),
    /** Page bytes by their SHA-256 (each content once). */
    contents: z.record(z.string().regex(HEX64), z.instanceof(Uint8Array)),
  })
  .strict();

export type CoreState = z.infer<typeof CoreStateSchema>;

export const CoreSnapshotSchema = z
  .object({
    format: z.literal(CORE_SNAPSHOT_FORMAT),
    program: z.object({ file: z.string(), source: z.string(), hash: z.string().regex(HEX64) }).strict(),
    entry: z.object({ main: z.string(), args: z.array(z.string()) }).strict(),
    world: WorldSchema,
    /** The boundary: this many effects have run, the next is about to reach the world. */
    position: z.object({ effects: z.number().int().min(0) }).strict(),
    state: z
      .object({
        ...CoreStateSchema.shape,
        worldCalls: z.array(WorldCallSchema),
        balances: BalancesSchema,
        receipts: z.record(z.string(), z.number().int()),
      })
      .strict(),
  })
  .strict();

export type CoreSnapshot = z.infer<typeof CoreSnapshotSchema>;

/** A compiled run's result with the balances of the world it ended with. */
export type CoreRun = CompiledRunResult & { readonly balances: Balances };

export function encodeCoreSnapshot(s: CoreSnapshot): { readonly bytes: Uint8Array; readonly id: string } {
  const bytes = encode(s);
  return { bytes, id: sha256(bytes) };
}

/** Decodes and validates a co-processor snapshot: with `id` the bytes must hash to it, every page's bytes to their name, the program to its hash. */
export function decodeCoreSnapshot(bytes: Uint8Array, id?: string): CoreSnapshot {
  const snap = decodeAddressed(bytes, id, CORE_SNAPSHOT_FORMAT, CoreSnapshotSchema);
  if (sha256(snap.program.source) !== snap.program.hash) throw new CaxError('E_SNAPSHOT', "the snapshot's program does not hash to the hash it names");
  checkPages(snap.state);
  return snap;
}

/** Every page's bytes must hash to their name, and every written page must have its bytes (E_SNAPSHOT). */
export function checkPages(core: Pick<CoreState, 'pages' | 'contents'>): void {
  for (const [hash, content] of Object.entries(core.contents)) {
    if (content.length !== PAGE_BYTES || sha256(content) !== hash) throw new CaxError('E_SNAPSHOT', `a page's bytes do not hash to ${hash}`);
  }
  for (const p of core.pages) if (!(p.sha256 in core.contents)) throw new CaxError('E_SNAPSHOT', `the bytes of page 0x${p.address.toString(16)} are missing`);
}

/** What the sink follows of the program's own execution (the image's code: the TEL runtime and the compiled definitions). */
export interface ProgramTrace {
  /** Instructions of the program retired so far. */
  instret: number;
  /** The registers and pc after the program's latest instruction (the core then hands the effect to the firmware). */
  registers: number[];
  pc: number;
  /** Pages of the program area (from the image's base up) the program's instructions wrote. */
  readonly written: Set<number>;
}

/** The core as a snapshot holds it: the program's registers, pc and instruction count, and the pages it wrote with their bytes now. */
export function coreState(iss: Iss, trace: ProgramTrace): CoreState {
  const pages: CoreState['pages'] = [];
  const contents: CoreState['contents'] = {};
  for (const page of [...trace.written].sort((a, b) => a - b)) {
    const address = (page << PAGE_SHIFT) >>> 0;
    const bytes = new Uint8Array(iss.readMemory(address, PAGE_BYTES));
    const hash = sha256(bytes);
    contents[hash] = bytes;
    pages.push({ address, sha256: hash });
  }
  return { pc: trace.pc, registers: [...trace.registers], instret: trace.instret, pages, contents };
}

/**
 * A sink that follows the program (instructions in the image, not the firmware's: the firmware's idle loop waits for
 * the host a varying number of times, so its counts and data are not part of the run) and the RAM pages it writes.
 */
export function programTrace(iss: Iss, image: Image, trace: ProgramTrace): (r: TraceRecord) => void {
  const ramEnd = 0x80000000 + iss.ramBytes;
  return (r) => {
    if (r.pc < image.base || r.pc >= image.heapStart) return;
    trace.instret++;
    trace.registers = registersAfter(iss, r);
    trace.pc = r.pc;
    const at = r.memAddr >>> 0;
    if (r.memWrite && at >= image.base && at < ramEnd) trace.written.add(at >>> PAGE_SHIFT);
  };
}

export const newTrace = (): ProgramTrace => ({ instret: 0, registers: [], pc: 0, written: new Set() });

/** Runs `spec` compiled on the ISS and takes a snapshot at every effect boundary `wanted` accepts (all by default). */
export async function runWithCoreSnapshots(spec: RunSpec, wanted: (index: number) => boolean = () => true): Promise<{ readonly result: CoreRun; readonly snapshots: CoreSnapshot[] }> {
  const image = compiledImage(spec);
  const world = new MemoryWorld(spec.world ?? {});
  const calls: WorldCall[] = [];
  const trace = newTrace();
  const snapshots: CoreSnapshot[] = [];
  let iss: Iss | null = null;
  let index = 0;
  const recording = recordingWorld(world, calls);
  const handlers = atBoundaries(
    () => recording,
    () => {
      if (wanted(index)) {
        snapshots.push({
          format: CORE_SNAPSHOT_FORMAT,
          program: { file: spec.file, source: spec.source, hash: sha256(spec.source) },
          entry: { main: spec.main, args: [...spec.args] },
          world: spec.world ?? {},
          position: { effects: index },
          state: { ...coreState(iss!, trace), worldCalls: calls.map((c) => ({ ...c })), balances: world.snapshot(), receipts: world.receiptCounts() },
        });
      }
      index++;
    },
  );
  const result = await runTraced(image, spec, handlers, (i) => programTrace((iss = i), image, trace));
  return { result: { ...result, balances: world.snapshot() }, snapshots };
}

/** Restores `snap` on a fresh ISS (replayed to its boundary, the core checked there) and runs on to the end; `balances` restores the world only. */
export async function restoreCoreSnapshot(snap: CoreSnapshot, options: { readonly balances?: Balances } = {}): Promise<CoreRun> {
  const spec: RunSpec = { file: snap.program.file, source: snap.program.source, main: snap.entry.main, args: snap.entry.args, world: snap.world };
  const image = compiledImage(spec);
  const replay = new ReplayedWorld(new MemoryWorld(snap.world), snap.state.worldCalls);
  const trace = newTrace();
  let iss: Iss | null = null;
  let index = 0;
  const replaying = replay.handlers();
  const handlers = atBoundaries(
    () => replaying,
    () => {
      if (!replay.live && index === snap.position.effects) {
        checkCore(snap, coreState(iss!, trace), replay.replayed);
        replay.world.restoreState(options.balances ?? snap.state.balances, snap.state.receipts);
        replay.live = true;
      }
      index++;
    },
  );
  let result: CompiledRunResult;
  try {
    result = await runTraced(image, spec, handlers, (i) => programTrace((iss = i), image, trace));
  } catch (e) {
    if (e instanceof BoundaryMismatch) throw new CaxError('E_SNAPSHOT', e.message);
    throw e;
  }
  if (!replay.live) throw new CaxError('E_SNAPSHOT', `the replay ended after ${index} effects, before the snapshot's boundary at ${snap.position.effects}`);
  return { ...result, balances: replay.world.snapshot() };
}

/** The replayed core at the boundary must be the snapshot's: registers, pc, counts, written pages and their bytes, world calls. */
function checkCore(snap: CoreSnapshot, core: CoreState, worldCalls: number): void {
  const differs = coreDifferences(snap.state, core);
  if (worldCalls !== snap.state.worldCalls.length) differs.push(`world calls ${worldCalls} vs ${snap.state.worldCalls.length}`);
  if (differs.length > 0) throw new BoundaryMismatch(`the replayed core is not the snapshot's: ${differs.join(', ')}`);
}

/** How the core `got` differs from the core `want` a snapshot holds: pc, registers, instruction count, written pages and their bytes. */
export function coreDifferences(want: CoreState, got: CoreState): string[] {
  const differs: string[] = [];
  if (got.pc !== want.pc) differs.push(`pc 0x${got.pc.toString(16)} vs 0x${want.pc.toString(16)}`);
  const regs = got.registers.flatMap((v, i) => (v !== want.registers[i] ? [`x${i}`] : []));
  if (regs.length > 0) differs.push(`registers ${regs.join(' ')}`);
  if (got.instret !== want.instret) differs.push(`instret ${got.instret} vs ${want.instret}`);
  const pages = new Map(want.pages.map((p) => [p.address, p.sha256]));
  const changed = got.pages.filter((p) => pages.get(p.address) !== p.sha256).map((p) => `0x${p.address.toString(16)}`);
  if (changed.length > 0 || got.pages.length !== want.pages.length) differs.push(`pages ${changed.join(' ') || `(${got.pages.length} written, ${want.pages.length} in the snapshot)`}`);
  return differs;
}
