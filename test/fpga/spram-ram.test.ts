// The board RAM (rtl/board/cax_ram_spram.v, under the bridge with yosys's
// SPRAM model): after configuration it copies the boot image into SPRAM,
// then it behaves as rtl/soc/cax_ram.v does: byte-lane writes, read data the
// clock after a read, held until the next read, in both 64 KiB banks.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_TIMEOUT_MS } from '../../host/bridge/build.js';
import { Dut, type Signal } from '../../host/bridge/dut.js';

type RamPorts = 'clk' | 'word_addr' | 'read' | 'write_mask' | 'write_data' | 'read_data';

const BOOT_WORDS = 64;
const SPRAM_MODEL = 'build/fpga/icebreaker/lint/SB_SPRAM256KA.v';
const boot = Array.from({ length: BOOT_WORDS }, (_, i) => Math.imul(i + 1, 0x9e37_79b9) >>> 0);

let dir: string;
let ram: Dut & Record<RamPorts, Signal>;

beforeAll(async () => {
  execFileSync('make', ['-s', SPRAM_MODEL]);
  dir = mkdtempSync(join(tmpdir(), 'cax-spram-'));
  const hex = join(dir, 'boot.hex');
  writeFileSync(hex, boot.map((w) => w.toString(16).padStart(8, '0')).join('\n') + '\n');
  ram = await Dut.build<RamPorts>(['rtl/board/cax_ram_spram.v', SPRAM_MODEL], {
    top: 'cax_ram',
    searchDirs: [],
    parameters: { BYTES: 131072, BOOT_WORDS, BOOT_HEX: hex },
  });
  await ram.tick(256 + BOOT_WORDS + 4); // settling time and the copy
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  await ram.close();
  rmSync(dir, { recursive: true, force: true });
});

async function read(addr: number): Promise<number> {
  ram.word_addr.value = addr;
  ram.read.value = 1;
  await ram.tick();
  ram.read.value = 0;
  await ram.settle();
  return ram.read_data.value;
}

async function write(addr: number, mask: number, data: number): Promise<void> {
  ram.word_addr.value = addr;
  ram.write_mask.value = mask;
  ram.write_data.value = data;
  await ram.tick();
  ram.write_mask.value = 0;
}

function merge(old: number, mask: number, data: number): number {
  let lanes = 0;
  for (let i = 0; i < 4; i++) if (mask & (1 << i)) lanes |= 0xff << (8 * i);
  return ((old & ~lanes) | (data & lanes)) >>> 0;
}

describe('cax_ram on iCE40 SPRAM', () => {
  it('holds the boot image at address 0 after the copy', async () => {
    const got: number[] = [];
    for (let i = 0; i < BOOT_WORDS; i++) got.push(await read(i));
    expect(got).toEqual(boot);
  });

  it('behaves as a byte-lane RAM with read data held until the next read', async () => {
    // A few addresses in each bank (the high bank starts at word 16384) so operations collide.
    const addresses = [BOOT_WORDS + 1, BOOT_WORDS + 2, 5000, 16383, 16384, 16385, 30000, 32767];
    const op = fc.oneof(
      fc.record({ kind: fc.constant('read' as const), addr: fc.constantFrom(...addresses) }),
      fc.record({ kind: fc.constant('write' as const), addr: fc.constantFrom(...addresses), mask: fc.integer({ min: 1, max: 15 }), data: fc.integer({ min: 0, max: 0xffff_ffff }) }),
      fc.record({ kind: fc.constant('idle' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 40 }), async (ops) => {
        const model = new Map<number, number>();
        for (const a of addresses) {
          await write(a, 15, 0);
          model.set(a, 0);
        }
        let last: number | undefined;
        for (const o of ops) {
          if (o.kind === 'read') {
            last = model.get(o.addr)!;
            expect(await read(o.addr)).toBe(last);
          } else {
            if (o.kind === 'write') {
              await write(o.addr, o.mask, o.data);
              model.set(o.addr, merge(model.get(o.addr)!, o.mask, o.data));
            } else {
              await ram.tick();
            }
            await ram.settle();
            if (last !== undefined) expect(ram.read_data.value).toBe(last);
          }
        }
      }),
      { numRuns: 30 },
    );
  });
});
