// The metadata stored next to each definition (not hashed): the name it was
// added under, its binders' names in encoding order, which name each
// referenced hash had at add time, and where it came from. Tools restore
// names from it; pinning compares `refs` with the names' current hashes.
import { z } from 'zod';
import { CaxError } from '../errors.js';

export const DefinitionMetaSchema = z.object({
  name: z.string(),
  locals: z.array(z.string()),
  refs: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  source: z.string(),
});

export type DefinitionMeta = z.output<typeof DefinitionMetaSchema>;

export function parseMeta(value: unknown, hash: string): DefinitionMeta {
  const parsed = DefinitionMetaSchema.safeParse(value);
  if (!parsed.success) throw new CaxError('E_CORRUPT', `metadata of @${hash} is malformed`, { details: { hash } });
  return parsed.data;
}
