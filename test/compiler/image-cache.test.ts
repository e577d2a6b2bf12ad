// The image cache is verified on every read (issue 26 item 8): an attacker
// who swaps a cached image file for another genuine one (of `eight`), edits
// or truncates it, gets the right value and a warning, never their image; a
// file's bytes are checked against the digest the store recorded before they
// are parsed, and no bytes make the reader throw.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { runCli } from '../../host/cli/program.js';
import { readImageFile } from '../../host/coprocessor/cache.js';
import { captureIO } from '../helpers/cli-io.js';

async function cax(home: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = captureIO({ env: { CAX_HOME: home } });
  const code = await runCli(argv, io);
  return { code, stdout: io.stdout.join('\n'), stderr: io.stderr.join('\n') };
}

/** Runs `name` on the ISS: its value, whether the image came from the cache, and any warning. */
async function runOnIss(home: string, name: string): Promise<{ value: unknown; cached: unknown; warning: string }> {
  const r = await cax(home, '--json', 'run', name, '--backend', 'iss');
  expect(r.code).toBe(0);
  const doc = JSON.parse(r.stdout) as { value: unknown; coprocessor: { cached: unknown } };
  return { value: doc.value, cached: doc.coprocessor.cached, warning: r.stderr };
}

describe('cached images', () => {
  it('a swapped, edited or truncated image file is rebuilt with a warning, and the value stays right', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cax-images-'));
    try {
      const source = join(home, 'numbers.tel');
      writeFileSync(source, 'six :: Int\nsix = 6\n\neight :: Int\neight = 8\n');
      expect((await cax(home, 'add', source)).code).toBe(0);
      const images = join(home, 'images');
      expect(await runOnIss(home, 'six')).toEqual({ value: '6', cached: false, warning: '' });
      const [sixFile] = readdirSync(images);
      expect(await runOnIss(home, 'eight')).toMatchObject({ value: '8', cached: false });
      const eightFile = readdirSync(images).find((f) => f !== sixFile)!;
      expect(await runOnIss(home, 'six')).toEqual({ value: '6', cached: true, warning: '' });

      // the attacker puts eight's genuine image where six's is
      copyFileSync(join(images, eightFile), join(images, sixFile!));
      const swapped = await runOnIss(home, 'six');
      expect(swapped).toMatchObject({ value: '6', cached: false });
      expect(swapped.warning).toMatch(/warning: the cached image [0-9a-f]{12} does not match the digest recorded in the store/);
      expect(await runOnIss(home, 'six')).toEqual({ value: '6', cached: true, warning: '' });

      // truncated
      const bytes = readFileSync(join(images, sixFile!));
      writeFileSync(join(images, sixFile!), bytes.subarray(0, bytes.length >> 1));
      const truncated = await runOnIss(home, 'six');
      expect(truncated).toMatchObject({ value: '6', cached: false });
      expect(truncated.warning).toMatch(/does not match the digest/);

      // cax compile of the stored definition checks it the same way
      writeFileSync(join(images, sixFile!), 'not json');
      const compiled = await cax(home, 'compile', 'six');
      expect(compiled.code).toBe(0);
      expect(compiled.stderr).toMatch(/warning: the cached image .* rebuilt/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  }, 60_000);

  it('the reader never throws: any bytes are an image only when they hash to the recorded digest and parse', () => {
    const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, recorded) => {
        const read = readImageFile(bytes, recorded ? digest(bytes) : undefined);
        if (!recorded) expect(read).toBe('unrecorded');
        else expect(read === 'malformed' || typeof read === 'object').toBe(true);
        expect(readImageFile(bytes, '0'.repeat(64))).toBe(digest(bytes) === '0'.repeat(64) ? 'malformed' : 'tampered');
      }),
      { numRuns: 300 },
    );
    const notAnImage = Buffer.from(JSON.stringify({ bytes: 'AAAA', base: 'x' }));
    expect(readImageFile(notAnImage, digest(notAnImage))).toBe('malformed');
  });
});
