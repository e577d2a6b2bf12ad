// The claim of a proved TEL run (docs/receipt.md `tel`, docs/proofs.md
// "Proving TEL programs"): the prover makes it from its run; the verifier
// drives the same run again over the receipt's proved access words
// (host/proof/tel-run.ts), with the claimed effect log as the world, and
// checks the result, the effect log, the end time and the host's writes at
// every ecall against the claim, and the arguments against the input hash.
import { createHash } from 'node:crypto';
import { CoprocessorOpaque, readValue } from '../coprocessor/heap.js';
import { argumentsInput, argumentValue, PROVE_HEADER, type TelProvingImage } from './tel-image.js';
import { RAM_BASE } from '../riscv/machine.js';
import { HashV, showValue, type Value } from '../tel/values.js';
import type { EffectEntry } from '../tel/scheduler.js';
import { replayHandlers, type EffectHandlers } from '../tel/world.js';
import { ACCESS_ECALL, decodeAccesses, PROOF_RAM_BYTES, type Access, type HostWrite } from './access.js';
import type { Receipt, TelClaim } from './receipt.js';
import { driveTel, memoryReader, ReplayCore, type TelDrive } from './tel-run.js';
import { printable } from '../printable.js';

/** An effect log entry with a fixed key order and no absent fields (the receipt's form). */
export function loggedEffect(e: EffectEntry): TelClaim['effects'][number] {
  return {
    start: e.start,
    time: e.time,
    timeline: e.timeline,
    kind: e.kind,
    args: [...e.args],
    result: e.result,
    ...(e.error ? { error: { code: e.error.code, message: e.error.message } } : {}),
    ...(e.rolledBack ? { rolledBack: true } : {}),
  };
}

/** The receipt's claim for a proved run of `program` that `drive` describes. */
export function telClaim(program: TelProvingImage, drive: TelDrive, start: number): TelClaim {
  return {
    definition: program.hash,
    args: [...program.shownArgs],
    type: program.type,
    value: drive.output.shown,
    effects: drive.effects.map(loggedEffect),
    start,
    clock: drive.clock,
    latencies: { ...drive.latencies },
  };
}

/** The run of a receipt again, from its proved access words, with `handlers` as the world. */
export async function replayTelRun(receipt: Receipt, handlers: EffectHandlers, start: number): Promise<TelDrive> {
  const accesses = receipt.chunks.flatMap((c) => decodeAccesses(c.accesses));
  let at = 0;
  const next = (): Promise<readonly Access[]> => {
    const from = at;
    while (at < accesses.length && accesses[at]!.kind !== ACCESS_ECALL) at++;
    if (at < accesses.length) at++;
    return Promise.resolve(accesses.slice(from, at));
  };
  return driveTel(new ReplayCore(receipt.program.image, next), handlers, start);
}

function sameWrites(a: readonly (readonly HostWrite[])[], b: readonly (readonly HostWrite[])[]): boolean {
  return a.length === b.length && a.every((list, k) => list.length === b[k]!.length && list.every((w, i) => w.addr === b[k]![i]!.addr && Buffer.from(w.bytes).equals(b[k]![i]!.bytes)));
}

/** The most arguments an argument block is read for. */
const MAX_ARGUMENTS = 1024;

/** The argument vector of a proving image (host/proof/tel-image.ts): its address and length, from the header. */
function argumentVector(image: Uint8Array): { argv: number; argc: number; mem: ReturnType<typeof memoryReader> } {
  if (image.length < PROVE_HEADER.args + 8) throw new Error('the image is shorter than the proving header');
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength);
  const argv = view.getUint32(PROVE_HEADER.args, true);
  const argc = view.getUint32(PROVE_HEADER.args + 4, true);
  if (argc > MAX_ARGUMENTS) throw new Error(`${argc} arguments`);
  return { argv, argc, mem: memoryReader(RAM_BASE, image) };
}

function vectorItem(mem: ReturnType<typeof memoryReader>, argv: number, i: number): Value {
  const w = mem(argv + 8 * i, 8);
  return readValue({ tag: w.getUint32(0, true), val: w.getUint32(4, true) }, mem);
}

/** The arguments compiled into a proving image: its header's argument vector and count, decoded from the image. */
export function imageArguments(image: Uint8Array): Value[] {
  const { argv, argc, mem } = argumentVector(image);
  return Array.from({ length: argc }, (_, i) => {
    const value = vectorItem(mem, argv, i);
    if (value instanceof CoprocessorOpaque) throw new Error(`argument ${i + 1} is not a first-order value`);
    return value;
  });
}

/** The definition a proving image names: the hash after its arguments in the argument vector. */
export function imageDefinition(image: Uint8Array): string {
  const { argv, argc, mem } = argumentVector(image);
  const value = vectorItem(mem, argv, argc);
  if (!(value instanceof HashV)) throw new Error('the argument vector does not end with a definition hash');
  return value.hex;
}

/** The host's mailbox in the proving header: the argument vector, its length, the heap end, the continuation and finish (six words). */
const MAILBOX = { from: RAM_BASE + PROVE_HEADER.args, to: RAM_BASE + PROVE_HEADER.finish + 4 };

/**
 * The first host write outside what the TEL ecall protocol allows: the
 * mailbox, or the heap above the image (where rt_hp points); never the
 * image's code, data or arguments, never outside the RAM the proofs model.
 */
function hostWriteOutsideProtocol(receipt: Receipt): string | undefined {
  const heapFrom = RAM_BASE + receipt.program.image.length;
  for (const [k, list] of receipt.hostWrites.entries()) {
    for (const w of list) {
      const end = w.addr + w.bytes.length;
      const inMailbox = w.addr >= MAILBOX.from && end <= MAILBOX.to;
      const inHeap = w.addr >= heapFrom && end <= RAM_BASE + PROOF_RAM_BYTES;
      if (!inMailbox && !inHeap) return `the host write at ecall ${k} to 0x${w.addr.toString(16)} (${w.bytes.length} bytes) is outside the mailbox and the heap the TEL ecall protocol allows`;
    }
  }
  return undefined;
}

/** Why the receipt's TEL claim does not hold for the proved run; undefined when it holds or there is none. */
export async function telClaimFault(receipt: Receipt): Promise<string | undefined> {
  const claim = receipt.tel;
  if (claim === undefined) return undefined;
  let drive: TelDrive;
  try {
    drive = await replayTelRun(receipt, replayHandlers(claim.effects, claim.latencies), claim.start);
  } catch (e) {
    return `the proved run is not a TEL run of its claim: ${(e as Error).message}`;
  }
  if (drive.output.shown !== claim.value) return `the receipt claims the result ${claim.value}, but the proved run gives ${drive.output.shown}`;
  if (JSON.stringify(drive.effects.map(loggedEffect)) !== JSON.stringify(claim.effects)) return "the receipt's effect log is not the one the proved run makes with its results";
  if (drive.clock !== claim.clock) return `the receipt claims the run ends at time ${claim.clock}, the proved run ends at ${drive.clock}`;
  const outside = hostWriteOutsideProtocol(receipt);
  if (outside !== undefined) return outside;
  if (!sameWrites(drive.hostWrites, receipt.hostWrites)) return "the host's writes at the ecalls are not the ones the claimed effects call for";
  let named: string;
  try {
    named = imageDefinition(receipt.program.image);
  } catch (e) {
    return `the proved image names no definition: ${(e as Error).message}`;
  }
  if (named !== claim.definition) return `the receipt claims the definition ${printable(claim.definition)}, but the proved image names ${named}`;
  let input: Uint8Array;
  try {
    input = argumentsInput(claim.args.map(argumentValue));
  } catch (e) {
    return `the claimed arguments are not TEL values: ${(e as Error).message}`;
  }
  let proved: Uint8Array;
  try {
    proved = argumentsInput(imageArguments(receipt.program.image));
  } catch (e) {
    return `the proved image has no readable argument block: ${(e as Error).message}`;
  }
  if (!Buffer.from(proved).equals(input))
    return `the receipt claims the arguments ${claim.args.map(printable).join(' ')}, but the proved image holds ${imageArguments(receipt.program.image)
      .map((v) => printable(showValue(v)))
      .join(' ')}`;
  if (createHash('sha256').update(input).digest('hex') !== receipt.inputHash) return "the claimed arguments do not have the receipt's input hash";
  return undefined;
}

/**
 * `NAME ARGS… = VALUE :: TYPE`, the claim for people (the name defaults to @
 * and the hash's first 32 digits, 128 bits), then one line per logged effect with the
 * answer it got (the public inputs).
 */
export function describeTelClaim(claim: TelClaim, name = `@${claim.definition.slice(0, 32)}`): string {
  const arg = (a: string): string => printable(/^[\w"[(]/.test(a) && !/\s/.test(a) ? a : `(${a})`);
  const head = `${printable(name)}${claim.args.map((a) => ` ${arg(a)}`).join('')} = ${printable(claim.value)} :: ${printable(claim.type)}`;
  const effects = claim.effects.map((e) => {
    const answer = e.error ? printable(e.error.code) : e.result === null ? '()' : printable(JSON.stringify(e.result));
    const args = e.args.map((a) => printable(e.kind === 'emit' ? String(a) : JSON.stringify(a))).join(' ');
    return `  at ${e.time}: ${e.kind} ${args}${e.timeline === null ? '' : ` on ${printable(e.timeline)}`} → ${answer}${e.rolledBack ? ' (rolled back)' : ''}`;
  });
  return [head, ...effects].join('\n');
}
