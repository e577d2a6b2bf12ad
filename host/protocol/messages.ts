// The messages of the cax serial protocol (docs/protocol.md): each is a
// msgpack array [type, id, ...fields]. Requests are encoded from typed
// objects; everything the device sends is decoded and validated by a zod
// schema here, and nothing unvalidated goes further.
import { decode, encode } from '@msgpack/msgpack';
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

/** Message type numbers, as in firmware/proto.c. */
export const TYPE = {
  hello: 1,
  ping: 2,
  load: 3,
  chunk: 4,
  commit: 5,
  run: 6,
  reply: 7,
  read: 8,
  write: 9,
  reset: 10,
  ack: 0x40,
  info: 0x41,
  pong: 0x42,
  result: 0x46,
  effect: 0x47,
  data: 0x48,
  error: 0x7f,
} as const;

/** Error codes carried by ERROR frames. */
export const DEVICE_ERROR = {
  1: 'bad-frame',
  2: 'bad-message',
  3: 'unknown-type',
  4: 'bad-address',
  5: 'bad-state',
  6: 'hash-mismatch',
  7: 'version',
  8: 'unsupported',
  9: 'overrun',
  10: 'firmware-trap',
} as const;
export type DeviceErrorName = (typeof DEVICE_ERROR)[keyof typeof DEVICE_ERROR] | 'unknown';

/** How a run ended (RESULT's outcome field). */
export const OUTCOMES = ['returned', 'trapped', 'budget', 'link-lost'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type Request =
  | { readonly type: 'hello'; readonly id: number; readonly version: number; readonly rate?: { readonly line: number; readonly wanted: number } }
  | { readonly type: 'ping'; readonly id: number; readonly data: Uint8Array }
  | { readonly type: 'load'; readonly id: number; readonly addr: number; readonly size: number; readonly sha256: Uint8Array }
  | { readonly type: 'chunk'; readonly id: number; readonly offset: number; readonly data: Uint8Array }
  | { readonly type: 'commit'; readonly id: number }
  | { readonly type: 'run'; readonly id: number; readonly entry: number; readonly args: readonly number[]; readonly budget: number }
  | { readonly type: 'reply'; readonly id: number; readonly values: readonly [number, number] }
  | { readonly type: 'read'; readonly id: number; readonly addr: number; readonly length: number }
  | { readonly type: 'write'; readonly id: number; readonly addr: number; readonly data: Uint8Array }
  | { readonly type: 'reset'; readonly id: number };

function fields(r: Request): unknown[] {
  switch (r.type) {
    case 'hello':
      return r.rate ? [r.version, r.rate.line, r.rate.wanted] : [r.version];
    case 'ping':
      return [r.data];
    case 'load':
      return [r.addr, r.size, r.sha256];
    case 'chunk':
      return [r.offset, r.data];
    case 'commit':
      return [];
    case 'run':
      return [r.entry, [...r.args], r.budget];
    case 'reply':
      return [[...r.values]];
    case 'read':
      return [r.addr, r.length];
    case 'write':
      return [r.addr, r.data];
    case 'reset':
      return [];
  }
}

/** The msgpack bytes of a request. */
export function encodeRequest(r: Request): Uint8Array {
  return encode([TYPE[r.type], r.id, ...fields(r)]);
}

const u32 = z.number().int().min(0).max(0xffffffff);
const u64 = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const bytes = z.instanceof(Uint8Array);
const tag = <T extends number>(t: T) => z.literal(t);

const Ack = z.tuple([tag(TYPE.ack), u32, u32]).transform(([, id, value]) => ({ type: 'ack' as const, id, value }));
const Info = z
  .tuple([tag(TYPE.info), u32, u32, z.string(), z.string(), z.string(), u32, u32, u32, u32, u32])
  .transform(([, id, version, firmware, core, isa, ramBase, ramBytes, programBase, maxMessage, maxChunk]) => ({
    type: 'info' as const,
    id,
    version,
    firmware,
    core,
    isa,
    ramBase,
    ramBytes,
    programBase,
    maxMessage,
    maxChunk,
  }));
const Pong = z.tuple([tag(TYPE.pong), u32, bytes]).transform(([, id, data]) => ({ type: 'pong' as const, id, data }));
const Result = z
  .tuple([
    tag(TYPE.result),
    u32,
    z
      .number()
      .int()
      .min(0)
      .max(OUTCOMES.length - 1),
    u32,
    u32,
    u64,
    u64,
    u32,
    u32,
    u32,
  ])
  .transform(([, id, outcome, a0, a1, cycles, instret, cause, pc, tval]) => ({
    type: 'result' as const,
    id,
    outcome: OUTCOMES[outcome]!,
    a0,
    a1,
    cycles,
    instret,
    cause,
    pc,
    tval,
  }));
const Effect = z.tuple([tag(TYPE.effect), u32, u32, u32, z.array(u32).length(6)]).transform(([, id, run, effect, args]) => ({ type: 'effect' as const, id, run, effect, args }));
const Data = z.tuple([tag(TYPE.data), u32, bytes]).transform(([, id, data]) => ({ type: 'data' as const, id, data }));
const ErrorFrame = z.union([z.tuple([tag(TYPE.error), u32, u32, z.string()]), z.tuple([tag(TYPE.error), u32, u32, z.string(), z.array(u32).max(8)])]).transform(([, id, code, text, details]) => ({
  type: 'error' as const,
  id,
  code,
  name: (DEVICE_ERROR as Record<number, DeviceErrorName>)[code] ?? ('unknown' as const),
  text,
  details: details ?? [],
}));

export const DeviceMessageSchema = z.union([Ack, Info, Pong, Result, Effect, Data, ErrorFrame]);

/** The largest RAM a device may report (a board has 128 KiB, the simulation 1 MiB): what the host reads back is bounded by it. */
export const MAX_DEVICE_RAM_BYTES = 64 * 1024 * 1024;

/** What an INFO must say to be believed: limits the host sizes its requests and reads by. */
export const DeviceLimitsSchema = z
  .object({
    firmware: z.string().max(200),
    core: z.string().max(200),
    isa: z.string().max(200),
    ramBase: u32,
    ramBytes: z.number().int().min(4096).max(MAX_DEVICE_RAM_BYTES),
    programBase: u32,
    maxMessage: z
      .number()
      .int()
      .min(64)
      .max(1 << 20),
    maxChunk: z.number().int().min(1),
  })
  .refine((i) => i.maxChunk <= i.maxMessage, { message: 'maxChunk is larger than maxMessage', path: ['maxChunk'] })
  .refine((i) => i.ramBase + i.ramBytes <= 0x1_0000_0000, { message: 'RAM runs past the 32-bit address space', path: ['ramBytes'] })
  .refine((i) => i.programBase >= i.ramBase && i.programBase < i.ramBase + i.ramBytes, { message: 'programBase is outside RAM', path: ['programBase'] });
export type DeviceMessage = z.infer<typeof DeviceMessageSchema>;
export type Info = Extract<DeviceMessage, { type: 'info' }>;
export type RunResultMessage = Extract<DeviceMessage, { type: 'result' }>;
export type EffectMessage = Extract<DeviceMessage, { type: 'effect' }>;
export type ErrorMessage = Extract<DeviceMessage, { type: 'error' }>;

/** Decodes and validates one message from the device; undefined when it is not a valid message. */
export function decodeDeviceMessage(message: Uint8Array): DeviceMessage | undefined {
  let value: unknown;
  try {
    value = decode(message);
  } catch {
    return undefined;
  }
  const parsed = DeviceMessageSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
