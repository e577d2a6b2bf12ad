// --json output is safe on a terminal: C1 controls, bidirectional and
// zero-width characters from outside (a receipt, a store, an argument) come
// out as \u escapes, and the document parses to the same value.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { runCli } from '../../host/cli/program.js';
import { printableJson } from '../../host/printable.js';
import { captureIO } from '../helpers/cli-io.js';

// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/u;

describe('printableJson', () => {
  it('is the same JSON value, with no raw control or formatting character', () => {
    const text = fc.string({ unit: 'grapheme' });
    const hostile = fc.constantFrom('\u202e', '\u0085', '\u009b', '\u200b', '\u2028', '\ufeff', '\u001b[2K', '\r');
    const value = fc.jsonValue().chain((v) => fc.tuple(fc.constant(v), fc.array(fc.oneof(text, hostile))));
    fc.assert(
      fc.property(value, ([v, strings]) => {
        const doc = { v, s: strings.join('') };
        const out = printableJson(doc);
        expect(JSON.parse(out)).toEqual(JSON.parse(JSON.stringify(doc)));
        expect(out).not.toMatch(RAW);
      }),
    );
  });

  it('escapes a right-to-left override in a usage error of the CLI', async () => {
    const io = captureIO();
    expect(await runCli(['--json', '--evil\u202eoption'], io)).toBe(2);
    const out = io.stdout.join('');
    expect(out).toContain('\\u202e');
    expect(out).not.toMatch(RAW);
    expect(JSON.parse(out).error.message).toContain('--evil\u202eoption');
  });
});
