// Stored definitions on the farm (`file: store:REF` entries): the submitter
// sends the definition's dependency closure by hash, one content blob per
// group (its canonical bytes with each member's type, metadata and
// dependencies); a worker fetches the blobs it lacks, checks each against its
// content hash and the group's bytes against the group hash, and writes them
// into a store of its own on that machine, where the test runs through the
// executor as locally. Anything that does not check is E_FARM_CONTENT, and
// nothing unchecked reaches the worker's store.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import { memberHash, sha256 } from '../store/hash.js';
import { Repository, type NewGroup } from '../store/repository.js';
import { resolveStored } from '../store/resolve.js';
import { fetchVerified, uploadBytes, type ContentRef } from './content.js';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

/** One group of a closure as it travels: what Repository.commit writes. */
const GroupBlob = z
  .object({
    group: hex64,
    bytes: z.base64(),
    members: z.array(z.object({ hash: hex64, type: z.string(), meta: z.record(z.string(), z.unknown()), dependencies: z.array(hex64) }).strict()).min(1),
  })
  .strict();
type GroupBlob = z.infer<typeof GroupBlob>;

/** Uploads the closure of `hash` in the store at `storeDir`, a blob per group, dependencies first; their references. */
export async function uploadClosure(redis: Redis, storeDir: string, hash: string, uploaded: Set<string>): Promise<ContentRef[]> {
  const repo = Repository.open(storeDir);
  try {
    const groups = new Map<string, GroupBlob>();
    for (const h of resolveStored(repo, [hash]).order) {
      const d = repo.get(h);
      const blob = groups.get(d.group) ?? { group: d.group, bytes: Buffer.from(d.bytes).toString('base64'), members: [] };
      blob.members.push({ hash: d.hash, type: d.type, meta: { ...d.meta }, dependencies: repo.dependencies(h) });
      groups.set(d.group, blob);
    }
    const refs: ContentRef[] = [];
    for (const blob of groups.values()) refs.push(await uploadBytes(redis, Buffer.from(JSON.stringify(blob)), `${blob.group}.group.json`, repo.file, uploaded));
    return refs;
  } finally {
    repo.close();
  }
}

/** The group in a fetched blob, checked: its bytes hash to the group, its members are the group's (E_FARM_CONTENT when not). */
function checkedGroup(path: string, ref: ContentRef): NewGroup {
  let parsed: ReturnType<typeof GroupBlob.safeParse>;
  try {
    parsed = GroupBlob.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  } catch {
    throw new CaxError('E_FARM_CONTENT', `content ${ref.name} (${ref.hash}) is not a stored group`);
  }
  if (!parsed.success) throw new CaxError('E_FARM_CONTENT', `content ${ref.name} (${ref.hash}) is not a stored group: ${parsed.error.issues[0]?.message ?? ''}`);
  const { group, members } = parsed.data;
  const bytes = new Uint8Array(Buffer.from(parsed.data.bytes, 'base64'));
  if (sha256(bytes) !== group) throw new CaxError('E_FARM_CONTENT', `content ${ref.name}: the group's bytes do not hash to @${group}; refused`);
  members.forEach((m, i) => {
    if (memberHash(group, i, members.length) !== m.hash) throw new CaxError('E_FARM_CONTENT', `content ${ref.name}: member ${i} of @${group} is not @${m.hash}; refused`);
  });
  return { hash: group, bytes, members };
}

/** Fetches and checks the closure `refs` into the store under `folder` (shared by this user's workers on this machine); that store's folder. */
export async function storeClosure(redis: Redis, refs: readonly ContentRef[], folder: string): Promise<string> {
  const groups: NewGroup[] = [];
  for (const ref of refs) groups.push(checkedGroup(await fetchVerified(redis, ref, folder), ref));
  const storeDir = join(folder, 'store');
  const repo = Repository.open(storeDir);
  try {
    repo.commit(groups, []);
  } catch (e) {
    // a closure that leaves out a dependency was not made by a submitter
    if (e instanceof CaxError && e.code === 'E_MISSING_HASH') throw new CaxError('E_FARM_CONTENT', `the stored closure sent is incomplete: ${e.message}`);
    throw e;
  } finally {
    repo.close();
  }
  return storeDir;
}
