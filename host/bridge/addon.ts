// The `inprocess` transport: the model and its harness are a Node-API addon
// (build.ts) loaded into this process, and a request is one synchronous call
// into it, so a clock edge costs a function call rather than a round trip
// through pipes and another process. The reply is handed back as a resolved
// promise, so the API (and `await dut.clk.rising()`) is the process
// transport's. The same addon file serves every Dut built from it: each has
// its own handle (its own VerilatedContext and model).
import { createRequire } from 'node:module';
import { z } from 'zod';
import { CaxError } from '../errors.js';
import type { HarnessLink } from './link.js';

/** The addon's functions (harness.ts, CAX_BRIDGE_NAPI). */
const fn = z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function');
const AddonSchema = z.object({ open: fn, exec: fn, printed: fn, close: fn });

interface Addon {
  open(): object;
  exec(handle: object, commands: string): string;
  printed(handle: object): string;
  close(handle: object): void;
}

/** How much of the block's own output is kept. */
const OUTPUT_TAIL = 16000;

function loadAddon(path: string): Addon {
  const loaded: unknown = createRequire(import.meta.url)(path);
  if (!AddonSchema.safeParse(loaded).success) throw new CaxError('E_BRIDGE_BUILD', `${path} is not a bridge addon (open, exec, printed, close)`);
  return loaded as Addon;
}

export class InProcessHarness implements HarnessLink {
  private readonly addon: Addon;
  private handle: object | undefined;
  private held = '';
  private outputTail = '';
  private death: CaxError | undefined;

  constructor(
    path: string,
    private readonly label: string,
  ) {
    this.addon = loadAddon(path);
    this.handle = this.addon.open();
    this.collect();
  }

  hold(command: string): void {
    if (this.death) throw this.death;
    this.held += command;
  }

  request(command: string): Promise<string> {
    if (this.death || this.handle === undefined) return Promise.reject(this.death ?? this.closed());
    const text = this.held + command;
    this.held = '';
    const reply = this.addon.exec(this.handle, text);
    this.collect();
    return Promise.resolve(reply.endsWith('\n') ? reply.slice(0, -1) : reply);
  }

  close(): Promise<void> {
    if (this.handle !== undefined) {
      this.collect();
      this.addon.close(this.handle);
      this.handle = undefined;
    }
    return Promise.resolve();
  }

  get output(): string {
    return this.outputTail;
  }

  kill(): void {
    void this.close();
    this.death ??= new CaxError('E_BRIDGE_DIED', `the simulation of ${this.label} was killed`);
  }

  private closed(): CaxError {
    return new CaxError('E_BRIDGE_DIED', `the simulation of ${this.label} is closed`);
  }

  private collect(): void {
    if (this.handle === undefined) return;
    const printed = this.addon.printed(this.handle);
    if (printed !== '') this.outputTail = (this.outputTail + printed).slice(-OUTPUT_TAIL);
  }
}
