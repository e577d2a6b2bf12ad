// The pure parts of the bridge: the reply decoder (round trip and fuzz), the
// command encoder, and the reader of Verilator's port declarations.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeReply, encode } from '../../host/bridge/protocol.js';
import { parsePorts } from '../../host/bridge/ports.js';
import { CaxError } from '../../host/errors.js';

const value = fc.bigInt({ min: 0n, max: (1n << 200n) - 1n });

describe('decodeReply', () => {
  it('reads back what the harness writes', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.nat(), fc.array(value, { minLength: 1, maxLength: 12 }), fc.array(value, { maxLength: 12 }), (met, edges, snapshot, records) => {
        const line = [met ? '=' : 't', String(edges), ...[...snapshot, ...records].map((v) => v.toString(16))].join(' ');
        expect(decodeReply(line, snapshot.length, records.length)).toEqual({ met, edges, snapshot, records });
      }),
    );
  });

  it('turns a harness error line into E_BRIDGE_SIM', () => {
    expect(() => decodeReply('! $finish was called', 3, 0)).toThrow(expect.objectContaining({ code: 'E_BRIDGE_SIM' }) as unknown as Error);
  });

  it('fails on any other input only with E_PROTOCOL', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.nat(5), fc.nat(5), (line, ports, records) => {
        try {
          const reply = decodeReply(line, ports, records);
          expect(reply.snapshot).toHaveLength(ports);
          expect(reply.records).toHaveLength(records);
        } catch (e) {
          expect(e).toBeInstanceOf(CaxError);
          expect(['E_PROTOCOL', 'E_BRIDGE_SIM']).toContain((e as CaxError).code);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a reply with the wrong number of values', () => {
    expect(() => decodeReply('= 1 0 1', 3, 0)).toThrow(expect.objectContaining({ code: 'E_PROTOCOL' }) as unknown as Error);
    expect(() => decodeReply('= 1 0 1 2 3', 3, 0)).toThrow(expect.objectContaining({ code: 'E_PROTOCOL' }) as unknown as Error);
    expect(() => decodeReply('= 1 0 1 X', 3, 0)).toThrow(expect.objectContaining({ code: 'E_PROTOCOL' }) as unknown as Error);
  });
});

describe('encode', () => {
  it('writes one newline-terminated line of space-separated tokens per command', () => {
    fc.assert(
      fc.property(fc.nat(1000), value, fc.nat(1 << 20), (port, v, n) => {
        const lines = [encode.set(port, v), encode.settle(), encode.clock(port, n, 'falling'), encode.until(port, port + 1, { kind: 'equal', value: v }, n), encode.record(port, n, [port, port + 2])];
        for (const line of lines) expect(line).toMatch(/^[a-z]( [0-9a-z]+)*\n$/);
        expect(encode.set(port, v)).toBe(`s ${port} ${v.toString(16)}\n`);
      }),
    );
  });
});

describe('parsePorts', () => {
  const port = fc.record({
    name: fc.stringMatching(/^[a-z_][a-z0-9_]{0,12}$/),
    input: fc.boolean(),
    width: fc.integer({ min: 1, max: 300 }),
  });

  it('reads the direction, width and storage of every port declaration', () => {
    fc.assert(
      fc.property(fc.uniqueArray(port, { minLength: 1, maxLength: 20, selector: (p) => p.name }), (ports) => {
        const size = (w: number): string => (w <= 8 ? '8' : w <= 16 ? '16' : w <= 32 ? '' : w <= 64 ? '64' : 'W');
        const header = [
          'class Vtop final : public VerilatedModel {',
          ...ports.map((p) => `    VL_${p.input ? 'IN' : 'OUT'}${size(p.width)}(&${p.name},${p.width - 1},0${size(p.width) === 'W' ? `,${Math.ceil(p.width / 32)}` : ''});`),
          '};',
        ].join('\n');
        const parsed = parsePorts(header, 'Vtop.h');
        expect(parsed.map((p) => [p.name, p.direction, p.width, p.index])).toEqual(ports.map((p, i) => [p.name, p.input ? 'input' : 'output', p.width, i]));
        expect(parsed.map((p) => p.storage)).toEqual(ports.map((p) => ({ '8': 'u8', '16': 'u16', '': 'u32', '64': 'u64', W: 'words' })[size(p.width)]));
      }),
    );
  });

  it('refuses inout ports and ranges not ending at bit 0 with E_UNSUPPORTED, and a header without ports with E_PROTOCOL', () => {
    expect(() => parsePorts('    VL_INOUT8(&pad,0,0);', 'V.h')).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }) as unknown as Error);
    expect(() => parsePorts('    VL_IN8(&bits,7,4);', 'V.h')).toThrow(expect.objectContaining({ code: 'E_UNSUPPORTED' }) as unknown as Error);
    expect(() => parsePorts('class Vtop {};', 'V.h')).toThrow(expect.objectContaining({ code: 'E_PROTOCOL' }) as unknown as Error);
  });
});
