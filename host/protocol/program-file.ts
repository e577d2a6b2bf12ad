// Programs as files for the device: an ELF (its loadable segments, zero-
// filled to their memory size, and its entry) or a raw image (loaded at the
// device's program base, entered there). Used by `cax device run` and
// `cax sim run --serial`.
import { CaxError } from '../errors.js';
import { looksLikeElf, parseElf } from '../riscv/elf.js';
import { CoprocessorClient, EFFECT_UNHANDLED, type EffectHandler, type LoadResult, type RunResult } from './client.js';
import { SimTransport } from './sim-link.js';
import type { Transport } from './transport.js';

export interface ProgramImage {
  readonly entry: number;
  readonly segments: readonly { readonly addr: number; readonly data: Uint8Array }[];
}

export function programImage(file: Uint8Array, programBase: number): ProgramImage {
  if (!looksLikeElf(file)) return { entry: programBase, segments: [{ addr: programBase, data: file }] };
  const elf = parseElf(file);
  const segments = elf.segments
    .filter((s) => s.memBytes > 0)
    .map((s) => {
      const data = new Uint8Array(s.memBytes);
      data.set(s.data);
      return { addr: s.vaddr, data };
    });
  for (const s of segments) {
    if (s.addr < programBase)
      throw new CaxError(
        'E_ADDRESS',
        `segment at 0x${s.addr.toString(16)} lies below the program base 0x${programBase.toString(16)} (the loader's own memory); link programs with firmware/programs/program.ld`,
      );
  }
  return { entry: elf.entry, segments };
}

/** Loads every segment; `onProgress` gets the bytes loaded so far over all segments. */
export async function loadProgram(client: CoprocessorClient, image: ProgramImage, onProgress: (bytes: number) => void = () => undefined, signal?: AbortSignal): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  let before = 0;
  for (const s of image.segments) {
    results.push(await client.load(s.data, { addr: s.addr, onProgress: (n) => onProgress(before + n), ...(signal ? { signal } : {}) }));
    before += s.data.length;
  }
  return results;
}

export interface SessionRun {
  readonly info: CoprocessorClient['info'];
  readonly loaded: readonly LoadResult[];
  readonly result: RunResult;
}

/** One session on a link: hello, load the program file, run it, close the link. */
export async function runProgramFile(
  transport: Transport,
  file: Uint8Array,
  options: { args?: readonly number[]; budget: number; timeoutMs?: number; onEffect?: EffectHandler; onProgress?: (bytes: number, total: number) => void },
): Promise<SessionRun> {
  const client = await CoprocessorClient.connect(transport);
  try {
    const image = programImage(file, client.info.programBase);
    const total = image.segments.reduce((n, s) => n + s.data.length, 0);
    const loaded = await loadProgram(client, image, (n) => options.onProgress?.(n, total));
    const result = await client.run({
      entry: image.entry,
      budget: options.budget,
      ...(options.args ? { args: options.args } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.onEffect ? { onEffect: options.onEffect } : {}),
    });
    return { info: client.info, loaded, result };
  } finally {
    await client.close();
  }
}

const CAUSES: Record<number, string> = {
  0: 'instruction address misaligned',
  1: 'instruction access fault',
  2: 'illegal instruction',
  3: 'breakpoint',
  4: 'load address misaligned',
  5: 'load access fault',
  6: 'store address misaligned',
  7: 'store access fault',
  11: 'ecall',
};

const hex = (n: number): string => `0x${n.toString(16).padStart(8, '0')}`;

/** One line saying how a run ended. */
export function describeRun(r: RunResult): string {
  const counts = `${r.cycles} cycles, ${r.instret} instructions, ${r.effects} effect calls`;
  switch (r.outcome) {
    case 'returned':
      return `returned a0=${hex(r.a0)} a1=${hex(r.a1)}: ${counts}`;
    case 'trapped':
      return `trapped: cause ${r.trap!.cause} (${CAUSES[r.trap!.cause] ?? 'unknown'}) at pc ${hex(r.trap!.pc)}, tval ${hex(r.trap!.tval)}: ${counts}`;
    case 'budget':
      return `cycle budget exhausted: ${counts}`;
    case 'link-lost':
      return `stopped: the host stopped answering an effect request: ${counts}`;
  }
}

/** The error for a run that did not return (undefined when it did). */
export function runFailure(r: RunResult): CaxError | undefined {
  if (r.outcome === 'returned') return undefined;
  const code = r.outcome === 'trapped' ? 'E_TRAP' : r.outcome === 'budget' ? 'E_BUDGET' : 'E_LINK';
  return new CaxError(code, describeRun(r), { details: { ...r } });
}

export interface EffectRecord {
  readonly effect: number;
  readonly args: readonly number[];
}

/** A handler for runs from the command line: answers every effect with -1 (no handler) and records it. */
export function recordEffects(): { readonly handler: EffectHandler; readonly effects: EffectRecord[]; describe(): string[] } {
  const effects: EffectRecord[] = [];
  return {
    effects,
    handler: ({ effect, args }) => {
      effects.push({ effect, args });
      return [EFFECT_UNHANDLED, 0];
    },
    describe: () => effects.map((e) => `effect ${e.effect}(${e.args.join(', ')}) → -1 (no handler)`),
  };
}

/** `cax sim run --serial`: starts the simulated SoC with the loader firmware, loads and runs the program over the serial line, stops the simulation. */
export async function runOnSimulatedSerial(file: Uint8Array, budget: number): Promise<{ readonly result: RunResult; readonly effects: ReturnType<typeof recordEffects> }> {
  const effects = recordEffects();
  const { result } = await runProgramFile(await SimTransport.start(), file, { budget, onEffect: effects.handler });
  return { result, effects };
}
