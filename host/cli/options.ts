// The one validation of a command's options: commander's raw option object
// parsed by the command's zod schema; a mismatch is E_USAGE naming each
// offending option.
import type { z } from 'zod';
import { CaxError } from '../errors.js';

/** The options `raw` as `schema` types them, or E_USAGE `bad option: --name: why; …`. */
export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CaxError('E_USAGE', `bad option: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
