// The firmware in the ISS driven through the in-process link: the whole
// protocol including runs, effects and traps, with real RV32 code.
import { describe, it, expect } from '@jest/globals';
import { CoprocessorClient } from '../../host/protocol/client.js';
import { effectsHandler, issFirmware, program } from './helpers.js';

describe('firmware on the ISS', () => {
  it('says hello, loads a program and answers its effects', async () => {
    const client = await CoprocessorClient.connect(issFirmware());
    try {
      expect(client.info).toMatchObject({ version: 1, core: 'cax-soc', isa: 'rv32im', ramBase: 0x80000000, ramBytes: 128 * 1024, programBase: 0x80008000 });
      await client.load(program('effects'));
      const messages: string[] = [];
      const fill = Uint8Array.from({ length: 40 }, (_, i) => i * 3);
      const r = await client.run({ entry: client.info.programBase, args: [5], budget: 10_000_000, onEffect: effectsHandler(messages, fill) });
      expect(r.outcome).toBe('returned');
      expect(r.a0).toBe([0, 1, 2, 3, 4].reduce((s, i) => s + i + 1000 * i, 0));
      expect(r.a1).toBe(fill.reduce((s, b) => s + b, 0));
      expect(r.effects).toBe(7);
      expect(messages).toEqual(['hello from the co-processor']);
    } finally {
      await client.close();
    }
  });
});
