// package.json's engines.node is the real minimum: every dependency runs on
// it, and scripts/setup refuses an older Node before it installs anything.
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import semver from 'semver';
import { z } from 'zod';
import { packageRoot } from '../../host/artefacts.js';

const Manifest = z.object({
  engines: z.object({ node: z.string() }).optional(),
  dependencies: z.record(z.string(), z.string()).optional(),
  devDependencies: z.record(z.string(), z.string()).optional(),
});

const root = packageRoot();
const manifest = (dir: string): z.infer<typeof Manifest> => Manifest.parse(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')));

describe('the minimum Node version', () => {
  const ours = manifest(root);
  const minimum = semver.minVersion(ours.engines?.node ?? '')!;

  it('is stated in package.json engines', () => {
    expect(ours.engines?.node).toMatch(/^>=\d+\.\d+\.\d+$/);
  });

  it("satisfies every dependency's own engines.node", () => {
    const names = [...Object.keys(ours.dependencies ?? {}), ...Object.keys(ours.devDependencies ?? {})];
    const refused = names.filter((name) => {
      const range = manifest(join(root, 'node_modules', name)).engines?.node;
      return range !== undefined && !semver.satisfies(minimum, range);
    });
    expect(refused).toEqual([]);
  });

  it('is what scripts/setup checks: an older Node is refused before anything is installed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cax-engines-'));
    try {
      mkdirSync(join(dir, 'bin'));
      const older = `${minimum.major - 2}.0.0`;
      // A Node that says it is older; every installer a broken check would reach fails at once.
      writeFileSync(join(dir, 'node-older.cjs'), `Object.defineProperty(process.versions, 'node', { value: '${older}' });\n`);
      writeFileSync(join(dir, 'bin', 'node'), `#!/bin/sh\n[ "$1" = --version ] && { echo v${older}; exit 0; }\nexec ${process.execPath} --require ${join(dir, 'node-older.cjs')} "$@"\n`);
      for (const tool of ['apt-get', 'sudo', 'npm', 'dpkg', 'dpkg-query']) writeFileSync(join(dir, 'bin', tool), '#!/bin/sh\nexit 97\n');
      for (const tool of ['node', 'apt-get', 'sudo', 'npm', 'dpkg', 'dpkg-query']) chmodSync(join(dir, 'bin', tool), 0o755);
      const r = spawnSync('bash', [join(root, 'scripts', 'setup')], { env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, HOME: dir }, encoding: 'utf8', timeout: 20_000 });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`Node.js v${older} is too old: cax needs Node >= ${minimum.version}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
