// The one validation of a command's options: commander's raw option object
// parsed by the command's zod schema; a mismatch is E_USAGE naming each
// offending option.
import type { z } from 'zod';
import { CaxError } from '../errors.js';

/** An option as the user types it: commander's key maxCycles is --max-cycles. */
const optionName = (path: readonly PropertyKey[]): string =>
  `--${path
    .map(String)
    .join('.')
    .replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

/** The options `raw` as `schema` types them, or E_USAGE `bad option: --name: why; …`. */
export function parseOptions<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new CaxError('E_USAGE', `bad option: ${parsed.error.issues.map((i) => `${optionName(i.path)}: ${i.message}`).join('; ')}`);
  return parsed.data;
}
