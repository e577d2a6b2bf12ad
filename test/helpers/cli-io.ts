// A CliIO that records what a command printed, for running the whole CLI
// in-process from a test.
import type { CliIO } from '../../host/cli/io.js';
import { runCli } from '../../host/cli/program.js';

export interface CapturedIO extends CliIO {
  readonly stdout: string[];
  readonly stderr: string[];
}

export function captureIO(options: { env?: Record<string, string | undefined>; cwd?: string; onOut?: (text: string) => void } = {}): CapturedIO {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return {
    stdout,
    stderr,
    out: (text) => {
      stdout.push(text);
      options.onOut?.(text);
    },
    err: (text) => stderr.push(text),
    interactive: false,
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? {},
  };
}

/** Runs `cax --json ARGV…` in-process in `cwd`: the exit code and the JSON document it printed. */
export async function runCaxJson(cwd: string, env: Record<string, string | undefined>, ...argv: string[]): Promise<{ code: number; json: Record<string, unknown> }> {
  const io = captureIO({ cwd, env });
  const code = await runCli(['--json', ...argv], io);
  return { code, json: JSON.parse(io.stdout.join('\n')) as Record<string, unknown> };
}
