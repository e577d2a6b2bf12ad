// Reading the files a command is given (sources, worlds, policies): relative
// to the command's working directory, with cax errors instead of raw I/O ones.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CaxError } from '../errors.js';
import type { CliIO } from './io.js';

export function readText(io: CliIO, path: string): string {
  try {
    return readFileSync(resolve(io.cwd, path), 'utf8');
  } catch (e) {
    throw new CaxError('E_IO', `cannot read ${path}: ${(e as Error).message}`, { cause: e });
  }
}

export function readJson(io: CliIO, path: string): unknown {
  const text = readText(io, path);
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CaxError('E_USAGE', `${path} is not JSON: ${(e as Error).message}`);
  }
}
