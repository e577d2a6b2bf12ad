// A child process for the kill and concurrency tests: writes `batches`
// batches of `size` chained synthetic definitions into the store at argv[2],
// one transaction each, printing "committed K" after each batch.
import { Repository, type NewGroup } from '../../host/store/repository.js';
import { sha256 } from '../../host/store/hash.js';

const [dir, writer, batches, size] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4]), Number(process.argv[5])];
const repo = Repository.open(dir);
for (let k = 0; k < batches; k++) {
  const groups: NewGroup[] = [];
  let previous: string | undefined;
  for (let i = 0; i < size; i++) {
    const bytes = Buffer.from(`writer ${writer} batch ${k} item ${i} ${'x'.repeat(200)}`);
    const hash = sha256(bytes);
    groups.push({ hash, bytes, members: [{ hash, type: 'Int', meta: { writer, k, i }, dependencies: previous === undefined ? [] : [previous] }] });
    previous = hash;
  }
  repo.commit(groups, [{ name: `w${writer}_b${k}`, hash: previous!, reason: `batch ${k}` }]);
  process.stdout.write(`committed ${k}\n`);
}
repo.close();
