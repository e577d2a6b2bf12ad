// Receipts (docs/receipt.md): what a proved run claims and the chunk proofs
// that back it, as msgpack, parsed by a zod schema when read, and stored
// content-addressed in $CAX_HOME/receipts/<sha256 of the bytes>.msgpack.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decode, encode } from '@msgpack/msgpack';
import type { Groth16Proof } from 'snarkjs';
import { z } from 'zod';
import { CaxError, ErrorCodeSchema } from '../errors.js';
import { printable } from '../printable.js';
import type { State } from './statement.js';

// Version 7: a system step also exposes rs2's value (access word bits 132 to 163,
// 4 more bytes in its record), so a taken branch to a misaligned target is
// proved; the bytes the host sent on the UART are a public input (`uartInput`).
// Version 6 (the circuit without rs2 in a system step, no UART input) and older
// are refused.
export const RECEIPT_FORMAT = 'cax-receipt/7';
const OLDER_FORMAT = /^cax-receipt\/[1-6]$/;
const POINT_BYTES = 32;
export const PROOF_BYTES = 8 * POINT_BYTES;
const STATE_BYTES = 33 * 4;

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const u32 = z.number().int().min(0).max(0xffffffff);
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'bytes expected');

const int32 = z.number().int().min(-2147483648).max(2147483647);

/** One logged world effect of a proved TEL run (the interpreter's effect log entry): its result is a public input. */
const EffectEntrySchema = z.object({
  start: z.number().int(),
  time: z.number().int(),
  timeline: z.string().nullable(),
  kind: z.enum(['deposit', 'withdraw', 'transfer', 'observe', 'emit']),
  args: z.array(z.union([z.string(), int32])),
  result: z.union([z.string(), int32]).nullable(),
  error: z.object({ code: ErrorCodeSchema, message: z.string() }).optional(),
  rolledBack: z.boolean().optional(),
});

/**
 * What a proved TEL run claims (docs/receipt.md `tel`): the definition, its
 * arguments, type and result, and for a program with effects the effect log
 * (whose results entered at the ecalls), the logical start and end time and
 * the timelines' latencies. The verifier re-runs the effect schedule on the
 * proved runs with the log as the world and checks all of it.
 */
const TelClaimSchema = z.object({
  definition: hex64,
  args: z.array(z.string()),
  type: z.string(),
  value: z.string(),
  effects: z.array(EffectEntrySchema),
  start: int32,
  clock: z.number().int(),
  latencies: z.record(z.string(), z.number().int().nonnegative()),
});
export type TelClaim = z.infer<typeof TelClaimSchema>;

/** The host's writes at each ecall of the run, in order (docs/receipt.md `hostWrites`). */
const HostWritesSchema = z.array(z.array(z.object({ addr: u32, bytes })));

export const ReceiptSchema = z.object({
  format: z.literal(RECEIPT_FORMAT),
  program: z.object({ hash: hex64, image: bytes }),
  inputHash: hex64,
  /** uart: the bytes the program transmitted on the UART, in order (the verifier's replay of the device accesses must give exactly these). */
  output: z.object({ exitValue: u32, a0: u32, uart: bytes }),
  /** The bytes the host sent the program on the UART, from cycle 0 (the verifier's replay feeds them to the receive FIFO; the run must read them all). */
  uartInput: bytes,
  tel: TelClaimSchema.optional(),
  hostWrites: HostWritesSchema,
  cycles: z.number().int().nonnegative(),
  steps: z.number().int().positive(),
  /** The hash of the verifying key the proofs were made for (host/proof/verify.ts verifyingKeyHash). */
  verifyingKey: hex64,
  circuit: z.object({ hash: hex64, steps: z.number().int().positive(), constraints: z.number().int().positive() }),
  versions: z.object({ cax: z.string(), snarkjs: z.string(), circom2: z.string() }),
  states: z.array(bytes.refine((b) => b.length === STATE_BYTES, `a state is ${STATE_BYTES} bytes`)).min(2),
  chunks: z.array(z.object({ steps: z.number().int().positive(), proof: bytes.refine((b) => b.length === PROOF_BYTES, `a proof is ${PROOF_BYTES} bytes`), accesses: bytes })).min(1),
});
export type Receipt = z.infer<typeof ReceiptSchema>;

function fieldBytes(decimal: string): Uint8Array {
  const out = new Uint8Array(POINT_BYTES);
  let v = BigInt(decimal);
  for (let i = POINT_BYTES - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

function fieldString(b: Uint8Array, index: number): string {
  let v = 0n;
  for (let i = 0; i < POINT_BYTES; i++) v = (v << 8n) | BigInt(b[index * POINT_BYTES + i]!);
  return v.toString();
}

/** A snarkjs Groth16 proof as 256 bytes: A.x A.y B.x0 B.x1 B.y0 B.y1 C.x C.y, 32-byte big-endian each. */
export function encodeProof(p: Groth16Proof): Uint8Array {
  const parts = [p.pi_a[0]!, p.pi_a[1]!, p.pi_b[0]![0]!, p.pi_b[0]![1]!, p.pi_b[1]![0]!, p.pi_b[1]![1]!, p.pi_c[0]!, p.pi_c[1]!];
  const out = new Uint8Array(PROOF_BYTES);
  parts.forEach((s, i) => out.set(fieldBytes(s), i * POINT_BYTES));
  return out;
}

export function decodeProof(b: Uint8Array): Groth16Proof {
  const f = (i: number): string => fieldString(b, i);
  return {
    pi_a: [f(0), f(1), '1'],
    pi_b: [
      [f(2), f(3)],
      [f(4), f(5)],
      ['1', '0'],
    ],
    pi_c: [f(6), f(7), '1'],
    protocol: 'groth16',
    curve: 'bn128',
  };
}

export function encodeState(s: State): Uint8Array {
  const out = new Uint8Array(STATE_BYTES);
  const view = new DataView(out.buffer);
  view.setUint32(0, s.pc >>> 0, true);
  s.regs.forEach((r, i) => view.setUint32(4 + 4 * i, r >>> 0, true));
  return out;
}

export function decodeState(b: Uint8Array): State {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { pc: view.getUint32(0, true), regs: Array.from({ length: 32 }, (_, i) => view.getUint32(4 + 4 * i, true)) };
}

/** A receipt's output for `--json`: the UART bytes as text (each byte one character, latin1) and as hex. */
export function outputJson(output: Receipt['output']): { exitValue: number; a0: number; uart: string; uartHex: string } {
  return { exitValue: output.exitValue, a0: output.a0, uart: Buffer.from(output.uart).toString('latin1'), uartHex: Buffer.from(output.uart).toString('hex') };
}

/** A receipt's UART input for `--json`: as text (latin1) and as hex. */
export function uartInputJson(input: Uint8Array): { uartInput: string; uartInputHex: string } {
  return { uartInput: Buffer.from(input).toString('latin1'), uartInputHex: Buffer.from(input).toString('hex') };
}

/** A line showing UART bytes to a person (control characters escaped, docs/proofs.md "Output"), or '' without any. */
function bytesLine(what: string, data: Uint8Array): string {
  return data.length === 0 ? '' : `${what} (${data.length} bytes): "${printable(Buffer.from(data).toString('latin1'))}"\n`;
}

/** The lines that show a receipt's UART input and output to a person, or '' when it received and printed nothing. */
export function uartLine(receipt: Pick<Receipt, 'output' | 'uartInput'>): string {
  return bytesLine('uart input', receipt.uartInput) + bytesLine('uart output', receipt.output.uart);
}

export function encodeReceipt(r: Receipt): Uint8Array {
  return encode(r);
}

/** Parses receipt bytes; anything malformed is E_RECEIPT. */
export function decodeReceipt(data: Uint8Array, file = 'receipt'): Receipt {
  let raw: unknown;
  try {
    raw = decode(data);
  } catch (e) {
    throw new CaxError('E_RECEIPT', `${file} is not msgpack: ${(e as Error).message}`, { cause: e });
  }
  const format = typeof raw === 'object' && raw !== null ? (raw as { format?: unknown }).format : undefined;
  if (typeof format === 'string' && OLDER_FORMAT.test(format)) {
    throw new CaxError('E_RECEIPT', `${file} is a ${format} receipt, an older format this version does not verify (its proofs are for an older step circuit): prove the run again`);
  }
  const parsed = ReceiptSchema.safeParse(raw);
  if (!parsed.success) throw new CaxError('E_RECEIPT', `${file} is not a receipt: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

export function receiptHash(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Writes the receipt under its content hash; returns the hash and the path. */
export function storeReceipt(home: string, r: Receipt): { hash: string; path: string; bytes: number } {
  const data = encodeReceipt(r);
  const hash = receiptHash(data);
  const dir = join(home, 'receipts');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${hash}.msgpack`);
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
  return { hash, path, bytes: data.length };
}

/** Reads a receipt by path, or by its hash from the store. */
export function readReceipt(home: string, ref: string, cwd: string): { receipt: Receipt; path: string } {
  const path = /^[0-9a-f]{64}$/.test(ref) ? join(home, 'receipts', `${ref}.msgpack`) : resolve(cwd, ref);
  let data: Uint8Array;
  try {
    data = readFileSync(path);
  } catch (e) {
    throw new CaxError('E_IO', `cannot read the receipt ${ref}: ${(e as Error).message}`, { cause: e });
  }
  return { receipt: decodeReceipt(data, ref), path };
}
