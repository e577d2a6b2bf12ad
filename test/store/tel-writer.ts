// A child process for the kill and concurrency tests of the whole add path:
// adds `files` generated TEL files of `size` definitions each (writer W,
// file K defines wW_fK_0 … and wW_fK_last that uses all of them) to the store
// at argv[2], printing "added K" after each.
import { Repository } from '../../host/store/repository.js';
import { addContext, ensurePrelude } from '../../host/store/tel-env.js';
import { addProgram } from '../../host/store/add.js';
import { parseProgram } from '../../host/tel/parser.js';

export function generatedFile(writer: string, file: number, size: number): string {
  const lines = Array.from({ length: size }, (_, i) => `w${writer}_f${file}_${i} x = map (\\y -> y * ${i} + x) (range 1 ${(i % 5) + 1})`);
  lines.push(`w${writer}_f${file}_last = sum [${Array.from({ length: size }, (_, i) => `length (w${writer}_f${file}_${i} ${i})`).join(', ')}]`);
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('tel-writer.js')) {
  const [dir, writer, files, size] = [process.argv[2]!, process.argv[3]!, Number(process.argv[4]), Number(process.argv[5])];
  const repo = Repository.open(dir);
  const ctx = addContext(repo);
  ensurePrelude(ctx);
  for (let k = 0; k < files; k++) {
    addProgram(ctx, parseProgram(generatedFile(writer, k, size), `w${writer}_f${k}.tel`));
    process.stdout.write(`added ${k}\n`);
  }
  repo.close();
}
