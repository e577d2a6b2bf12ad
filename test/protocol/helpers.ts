// Shared fixtures of the protocol tests: the built firmware and programs,
// and links to the device in its three forms (native process, ISS, sim).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Iss } from '../../host/riscv/iss.js';
import { IssTransport } from '../../host/protocol/iss-link.js';
import { ProcessTransport } from '../../host/protocol/process-link.js';
import { SimTransport } from '../../host/protocol/sim-link.js';
import type { EffectHandler } from '../../host/protocol/client.js';

export const FIRMWARE_BUILD = join(process.cwd(), 'build/firmware');

export function built(name: string): string {
  const path = join(FIRMWARE_BUILD, name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`make firmware\` first`);
  return path;
}

export function program(name: string): Uint8Array {
  return new Uint8Array(readFileSync(built(`programs/${name}.bin`)));
}

/** The native build of the firmware as a child process on stdin/stdout. */
export function nativeFirmware(): ProcessTransport {
  return new ProcessTransport(built('cax-fw-native'));
}

/** The firmware running in the ISS, in-process. */
export function issFirmware(): IssTransport {
  const iss = new Iss({ traceAtReset: false, uartDivisor: 8 });
  const firmware = new Uint8Array(readFileSync(built('firmware.elf')));
  iss.load(firmware);
  return new IssTransport(iss, { firmware });
}

/** FNV-1a, as programs/checksum.c computes it. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 2166136261;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

/** The effects of programs/effects.c: 1 adds, 2 reads a message, 3 fills a buffer. */
export function effectsHandler(messages: string[], fill: Uint8Array): EffectHandler {
  return async ({ effect, args, client }) => {
    if (effect === 1) return [(args[0]! + args[1]!) >>> 0, 0];
    if (effect === 2) {
      messages.push(Buffer.from(await client.readMemory(args[0]!, args[1]!)).toString('latin1'));
      return [0, 0];
    }
    if (effect === 3) {
      const n = Math.min(fill.length, args[1]!);
      await client.writeMemory(args[0]!, fill.subarray(0, n));
      return [n, 0];
    }
    return [0, 0];
  };
}

/** The firmware in the Verilator simulation, behind its pseudo-terminal. */
export function simFirmware(): Promise<SimTransport> {
  return SimTransport.start({ simulator: join(process.cwd(), 'build/sim/cax-sim'), firmware: built('firmware.elf') });
}
