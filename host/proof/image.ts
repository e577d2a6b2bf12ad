// The program as the proofs see it (docs/proofs.md): its image, the bytes
// loaded at RAM_BASE up to the last initialised byte, and the program hash,
// the SHA-256 of that image. The verifier replays memory from the image
// (host/proof/access.ts), so a receipt binds to this hash.
import { createHash } from 'node:crypto';
import { CaxError } from '../errors.js';
import { looksLikeElf, parseElf } from '../riscv/elf.js';
import { RAM_BASE } from '../riscv/machine.js';

export interface ProgramImage {
  readonly bytes: Uint8Array;
  /** SHA-256 of `bytes`, hex. */
  readonly hash: string;
}

export function imageHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The image of an ELF (or of a raw image, taken as is). */
export function programImage(file: Uint8Array): ProgramImage {
  if (!looksLikeElf(file)) return { bytes: file, hash: imageHash(file) };
  const elf = parseElf(file);
  let end = 0;
  for (const s of elf.segments) {
    if (s.vaddr < RAM_BASE) throw new CaxError('E_ELF', `segment at 0x${s.vaddr.toString(16)} is below RAM`);
    if (s.data.length > 0) end = Math.max(end, s.vaddr - RAM_BASE + s.data.length);
  }
  const bytes = new Uint8Array(end);
  for (const s of elf.segments) bytes.set(s.data, s.vaddr - RAM_BASE);
  return { bytes, hash: imageHash(bytes) };
}
