// The shared option validation of the CLI commands (host/cli/options.ts).
import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { parseOptions } from '../../host/cli/options.js';
import { caughtError } from '../helpers/errors.js';

const Options = z.object({ maxCycles: z.coerce.number().int().positive().optional(), raw: z.boolean().default(false) });

describe('parseOptions', () => {
  it('returns the options as the schema types them', () => {
    expect(parseOptions(Options, { maxCycles: '12' })).toEqual({ maxCycles: 12, raw: false });
  });

  it('rejects a bad option with E_USAGE naming it', () => {
    const error = caughtError(() => parseOptions(Options, { maxCycles: '-3' }));
    expect(error.code).toBe('E_USAGE');
    expect(error.message).toMatch(/^bad option: --max-cycles: /);
  });
});
