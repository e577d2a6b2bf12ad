// Reading the files a command is given (sources, worlds, policies): relative
// to the command's working directory, with cax errors instead of raw I/O ones.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CaxError } from '../errors.js';
import { looksLikeElf } from '../riscv/elf.js';
import type { CliIO } from './io.js';

export function readText(io: CliIO, path: string): string {
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (e) {
    throw new CaxError('E_IO', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * The bytes of a program for `iss run` and `sim run` alike: an ELF, or with
 * `raw` an image loaded at 0x80000000; anything else is E_USAGE.
 */
export function readProgram(io: CliIO, path: string, raw: boolean): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(resolve(io.cwd, path)));
  } catch (e) {
    throw new CaxError('E_IO', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
  if (!raw && !looksLikeElf(bytes)) throw new CaxError('E_USAGE', `${path} is not an ELF file (--raw loads a raw image at 0x80000000)`);
  return bytes;
}

export function readJson(io: CliIO, path: string): unknown {
  const text = readText(io, path);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CaxError('E_USAGE', `${path} is not JSON: ${(e as Error).message}`);
  }
}
