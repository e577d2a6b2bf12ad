// CoprocessorClient: drives a co-processor over any Transport with the cax
// serial protocol (docs/protocol.md). Stop-and-wait: one request at a time
// (plus the memory requests of an effect handler during a run), each sent
// again when the line stays quiet for `timeoutMs`, up to `retries` sends;
// the device answers a repeated request id with its cached answer, so a
// retry never acts twice. A dead or closed link is E_LINK, never a hang.
import { createHash } from 'node:crypto';
import { CaxError, budgetExhausted } from '../errors.js';
import { FrameDecoder, encodeFrame } from './frame.js';
import {
  DeviceLimitsSchema,
  PROTOCOL_VERSION,
  decodeDeviceMessage,
  encodeRequest,
  type DeviceMessage,
  type EffectMessage,
  type ErrorMessage,
  type Info,
  type Outcome,
  type Request,
} from './messages.js';
import type { Transport } from './transport.js';

export interface ClientOptions {
  /** Quiet time on the line before a request is sent again (ms). */
  readonly timeoutMs?: number;
  /** Sends of one request before the link is declared dead. */
  readonly retries?: number;
}

export interface CallOptions {
  readonly signal?: AbortSignal;
}

/** What an effect handler gets: the program's effect id and a0..a5, and the client for memory access. */
export interface EffectCall {
  readonly effect: number;
  readonly args: readonly number[];
  readonly client: CoprocessorClient;
  readonly signal?: AbortSignal;
}

/** The values returned to the program in a0 and a1. */
export type EffectReply = readonly [number, number];
export type EffectHandler = (call: EffectCall) => Promise<EffectReply> | EffectReply;

/** a0 returned to a program whose effect has no handler (-1). */
export const EFFECT_UNHANDLED = 0xffffffff;

export interface RunOptions extends CallOptions {
  readonly entry: number;
  /** a0..a7 (at most 8). */
  readonly args?: readonly number[];
  /** Cycle budget: the run ends with outcome 'budget' once the program has used this many cycles. */
  readonly budget: number;
  readonly onEffect?: EffectHandler;
  /**
   * Wall-clock watchdog of the whole run, counted from its start (ms, default
   * 60 s): past it the run fails with E_BUDGET and the device is restarted
   * when the transport can (simulation, ISS). Effect requests do not restart
   * it, so a device that never stops asking cannot keep a run alive.
   */
  readonly timeoutMs?: number;
}

export interface RunResult {
  readonly outcome: Outcome;
  readonly a0: number;
  readonly a1: number;
  readonly cycles: number;
  readonly instret: number;
  /** The trap that ended the run (outcome 'trapped'). */
  readonly trap?: { readonly cause: number; readonly pc: number; readonly tval: number };
  readonly effects: number;
}

export interface LoadResult {
  readonly addr: number;
  readonly size: number;
  readonly sha256: string;
}

export type DeviceInfo = Omit<Info, 'type' | 'id'>;

/** One party waiting for device messages. */
interface Waiter {
  /** Returns true when the message was this waiter's. */
  message(m: DeviceMessage): boolean;
  /** A frame was lost: the device reported one of ours unusable, or one of its own arrived damaged. */
  frameLost(): void;
  /** Part of a frame arrived (the line is busy): wait before sending again. */
  activity(): void;
  closed(error: CaxError): void;
}

const QUIET_MS = 30;
/** Smallest piece of a load, read or write: the chunk size is never halved below it. */
const MIN_CHUNK = 64;
/**
 * Sends after which a CHUNK, READ or WRITE still unanswered, while damaged
 * frames arrive, is given up and cut in half: on a line that damages most
 * long frames, the same long frame (or its long DATA answer) would otherwise
 * be sent until the retries run out. A silent line is not a reason to cut.
 */
const CUT_AFTER = 3;
const DEFAULT_RUN_TIMEOUT_MS = 60_000;

function deviceError(m: ErrorMessage, what: string, link: string): CaxError {
  const code = m.name === 'hash-mismatch' ? 'E_HASH' : m.name === 'bad-address' ? 'E_ADDRESS' : m.name === 'unsupported' ? 'E_UNSUPPORTED' : 'E_PROTOCOL';
  return new CaxError(code, `${link}: ${what} refused: ${m.text} (${m.name})`, { details: { deviceCode: m.code, device: m.name, ...(m.details.length ? { trap: m.details } : {}) } });
}

function aborted(what: string): CaxError {
  return new CaxError('E_ABORTED', `${what} cancelled`);
}

export class CoprocessorClient {
  private readonly decoder: FrameDecoder;
  private readonly waiters = new Set<Waiter>();
  private nextId = 1 + Math.floor(Math.random() * 0x3fffffff);
  private deviceInfo: DeviceInfo | undefined;
  /** The line's rate before this session's first switch (restored at close). */
  private firstBaud: number | undefined;
  private closedError: CaxError | undefined;
  /** Set while the device may still be running an abandoned program. */
  private abandonedRun: number | undefined;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private staleTimer: ReturnType<typeof setTimeout> | undefined;
  /** Bytes per load/read/write request: halved while requests need retries, grown back when they do not. */
  private chunk = 0;
  private cleanRequests = 0;
  /** Frames the host could not decode (counted for diagnostics and tests). */
  badFrames = 0;

  constructor(
    private readonly transport: Transport,
    options: ClientOptions = {},
  ) {
    this.timeoutMs = options.timeoutMs ?? 1000;
    this.retries = options.retries ?? 8;
    this.decoder = new FrameDecoder();
    transport.listen({
      data: (bytes) => this.receive(bytes),
      closed: (reason) => this.fail(new CaxError('E_LINK', `${transport.name}: link lost: ${reason}`)),
    });
  }

  /** Opens a session: hello, protocol version check, device limits. */
  static async connect(transport: Transport, options: ClientOptions & CallOptions & { baud?: number } = {}): Promise<CoprocessorClient> {
    const client = new CoprocessorClient(transport, options);
    try {
      await client.hello(options);
    } catch (e) {
      await client.close();
      throw e;
    }
    return client;
  }

  get info(): DeviceInfo {
    if (!this.deviceInfo) throw new CaxError('E_PROTOCOL', 'no hello yet: the device limits are unknown');
    return this.deviceInfo;
  }

  /**
   * Says hello. With `baud` other than the line's rate, asks the device to
   * switch its UART to `baud` after its answer, and then switches the
   * transport (E_UNSUPPORTED when the transport has no rate, or the device
   * finds no divisor within 2 % of it). When no answer comes at the line's
   * rate, the device may be at `baud` already (its INFO was lost, or a
   * session that ended without close left it there): one more hello is
   * tried at `baud`. close() asks the device back to the line's first rate.
   */
  async hello(options: CallOptions & { baud?: number } = {}): Promise<DeviceInfo> {
    const line = this.transport.baud;
    const wanted = options.baud !== undefined && options.baud !== line ? options.baud : undefined;
    if (wanted !== undefined && (line === undefined || !this.transport.setBaud)) {
      throw new CaxError('E_UNSUPPORTED', `${this.transport.name}: the line has no rate to change to ${wanted} baud`);
    }
    const rate = wanted !== undefined && line !== undefined ? { line, wanted } : undefined;
    const m = await this.helloAt(rate, options).catch(async (e: unknown) => {
      if (!rate || !(e instanceof CaxError) || e.code !== 'E_LINK' || this.closedError) throw e;
      await this.transport.setBaud?.(rate.wanted);
      try {
        return await this.helloAt({ line: rate.wanted, wanted: rate.wanted }, options);
      } catch {
        await this.transport.setBaud?.(rate.line);
        throw e;
      }
    });
    if (m.version < 1 || m.version > PROTOCOL_VERSION) {
      throw new CaxError('E_PROTOCOL', `${this.transport.name}: device speaks protocol ${m.version}, host speaks 1..${PROTOCOL_VERSION}`);
    }
    const { type: _t, id: _i, ...info } = m;
    const limits = DeviceLimitsSchema.safeParse(info);
    if (!limits.success) {
      throw new CaxError('E_PROTOCOL', `${this.transport.name}: the device's INFO is not believable: ${limits.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, {
        details: { info },
      });
    }
    if (rate) {
      await this.transport.setBaud?.(rate.wanted);
      this.firstBaud ??= rate.line;
    }
    this.deviceInfo = info;
    this.chunk = info.maxChunk;
    return info;
  }

  private helloAt(rate: { line: number; wanted: number } | undefined, options: CallOptions) {
    return this.request((id) => ({ type: 'hello', id, version: PROTOCOL_VERSION, ...(rate ? { rate } : {}) }), 'info', options);
  }

  /** Round trip with an echoed payload; resolves to the round-trip time in ms. */
  async ping(data: Uint8Array = new Uint8Array(0), options: CallOptions = {}): Promise<number> {
    const start = performance.now();
    const m = await this.request((id) => ({ type: 'ping', id, data }), 'pong', options);
    if (Buffer.compare(m.data, data) !== 0) throw new CaxError('E_PROTOCOL', `${this.transport.name}: ping echoed different bytes`);
    return performance.now() - start;
  }

  /** Loads `image` at `addr` (default: the device's program base) in acknowledged chunks, then has the device check its SHA-256. */
  async load(image: Uint8Array, options: CallOptions & { addr?: number; onProgress?: (bytes: number) => void } = {}): Promise<LoadResult> {
    const addr = options.addr ?? this.info.programBase;
    const digest = createHash('sha256').update(image).digest();
    const sha256 = Uint8Array.from(digest);
    await this.request((id) => ({ type: 'load', id, addr, size: image.length, sha256 }), 'ack', options);
    for (let offset = 0; offset < image.length;) {
      const data = image.subarray(offset, offset + this.chunkBytes());
      const ack = await this.request((id) => ({ type: 'chunk', id, offset, data }), 'ack', options, data.length);
      if (!ack) continue; // given up: send a smaller piece at the same offset
      // A piece cut from a chunk the device did take is acknowledged with all it has.
      if (ack.value < offset + data.length || ack.value > image.length) {
        throw new CaxError('E_PROTOCOL', `${this.transport.name}: chunk at ${offset} of ${data.length} bytes acknowledged at ${ack.value}`);
      }
      offset = ack.value;
      options.onProgress?.(offset);
    }
    await this.request((id) => ({ type: 'commit', id }), 'ack', options);
    return { addr, size: image.length, sha256: digest.toString('hex') };
  }

  async readMemory(addr: number, length: number, options: CallOptions = {}): Promise<Uint8Array> {
    const out = new Uint8Array(length);
    for (let done = 0; done < length;) {
      const n = Math.min(this.chunkBytes(), length - done);
      const at = addr + done;
      const m = await this.request((id) => ({ type: 'read', id, addr: at, length: n }), 'data', options, n);
      if (!m) continue; // given up: the chunk size was halved, read a smaller piece
      if (m.data.length !== n) throw new CaxError('E_PROTOCOL', `${this.transport.name}: read of ${n} bytes returned ${m.data.length}`);
      out.set(m.data, done);
      done += n;
    }
    return out;
  }

  async writeMemory(addr: number, data: Uint8Array, options: CallOptions = {}): Promise<void> {
    for (let done = 0; done < data.length || (done === 0 && data.length === 0);) {
      const part = data.subarray(done, done + this.chunkBytes());
      const at = addr + done;
      const ack = await this.request((id) => ({ type: 'write', id, addr: at, data: part }), 'ack', options, part.length);
      if (!ack) continue; // given up (writing the same bytes again is harmless): write a smaller piece
      done += part.length;
      if (part.length === 0) break;
    }
  }

  /** Forgets any load in progress and the answer cache; the device keeps its RAM. */
  async reset(options: CallOptions = {}): Promise<void> {
    await this.request((id) => ({ type: 'reset', id }), 'ack', options);
  }

  /** Runs the loaded program at `entry`, answering its effect requests with `onEffect`. */
  run(options: RunOptions): Promise<RunResult> {
    const args = options.args ?? [];
    if (args.length > 8) return Promise.reject(new CaxError('E_USAGE', 'a program takes at most 8 arguments (a0..a7)'));
    const usable = this.usable();
    if (usable) return Promise.reject(usable);
    const id = this.takeId();
    const runFrame = encodeFrame(encodeRequest({ type: 'run', id, entry: options.entry, args, budget: options.budget }));
    const link = this.transport.name;
    return new Promise<RunResult>((resolve, reject) => {
      let effects = 0;
      let handlerError: unknown;
      let current: { id: number; reply?: Uint8Array } | undefined;
      let handling = false;
      let resendTimer: ReturnType<typeof setTimeout> | undefined;
      // Until the device acknowledges the RUN, it is sent again like any request.
      let started = false;
      let starts = 0;
      let startTimer: ReturnType<typeof setTimeout> | undefined;
      const start = (): void => {
        if (started) return;
        if (starts++ >= this.retries) {
          finish(() => reject(new CaxError('E_LINK', `${link}: no answer to run after ${this.retries} tries`)));
          return;
        }
        startTimer = setTimeout(start, this.timeoutMs);
        send(runFrame);
      };
      // Once the run has started, a quiet line means a frame may have gone
      // missing (the RESULT, or a REPLY and the RUN sent after a damaged frame):
      // RUN is sent again, and the device repeats its pending EFFECT or its
      // RESULT. The quiet time doubles with each resend nothing answers (up to 8
      // timeouts), so a long computation is not flooded; the watchdog bounds it.
      let quietMs = this.timeoutMs;
      let quietTimer: ReturnType<typeof setTimeout> | undefined;
      const armQuiet = (): void => {
        clearTimeout(quietTimer);
        quietTimer = setTimeout(() => {
          if (!handling) {
            send(runFrame);
            quietMs = Math.min(2 * quietMs, 8 * this.timeoutMs);
          }
          armQuiet();
        }, quietMs);
      };
      const heard = (): void => {
        quietMs = this.timeoutMs;
        armQuiet();
      };
      const begun = (): void => {
        started = true;
        clearTimeout(startTimer);
        heard();
      };
      // The watchdog runs from the start of the run, whatever the device sends.
      const watchdogMs = options.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;
      let watchdog: ReturnType<typeof setTimeout> | undefined;
      const armWatchdog = (): void => {
        clearTimeout(watchdog);
        watchdog = setTimeout(() => {
          this.abandonedRun = id;
          const stuck = `${link}: the run did not end within ${watchdogMs} ms`;
          finish(() => {
            // settled when the restart ends (its promise rejects the run either way)
            void this.restartDevice().then(
              (restarted) =>
                reject(
                  budgetExhausted(restarted ? `${stuck}; the device was restarted` : `${stuck}; the device stays busy until it ends or is reset`, {
                    budget: 'wallclock',
                    limit: watchdogMs,
                    restarted,
                  }),
                ),
              reject,
            );
          });
        }, watchdogMs);
      };
      const onAbort = (): void => {
        this.abandonedRun = id;
        finish(() => reject(aborted('run')));
      };
      const finish = (settle: () => void): void => {
        clearTimeout(watchdog);
        clearTimeout(resendTimer);
        clearTimeout(startTimer);
        clearTimeout(quietTimer);
        this.waiters.delete(waiter);
        options.signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const send = (frame: Uint8Array): void => {
        this.transport.send(frame).catch((e: unknown) => finish(() => reject(e)));
      };
      const answerEffect = async (m: EffectMessage): Promise<void> => {
        let values: EffectReply = [EFFECT_UNHANDLED, 0];
        handling = true;
        try {
          if (options.onEffect) values = await options.onEffect({ effect: m.effect, args: m.args, client: this, ...(options.signal ? { signal: options.signal } : {}) });
        } catch (e) {
          handlerError ??= e;
          values = [EFFECT_UNHANDLED, 0];
        } finally {
          handling = false;
        }
        const reply = encodeFrame(encodeRequest({ type: 'reply', id: m.id, values: [values[0] >>> 0, values[1] >>> 0] }));
        if (current?.id === m.id) current.reply = reply;
        if (!this.waiters.has(waiter)) return;
        heard();
        send(reply);
      };
      const waiter: Waiter = {
        message: (m) => {
          if (m.type === 'ack' && m.id === id) {
            begun();
            return true;
          }
          if (m.type === 'result' && m.id === id) {
            const trap = m.outcome === 'trapped' ? { trap: { cause: m.cause, pc: m.pc, tval: m.tval } } : {};
            const result: RunResult = { outcome: m.outcome, a0: m.a0, a1: m.a1, cycles: m.cycles, instret: m.instret, ...trap, effects };
            finish(() => (handlerError === undefined ? resolve(result) : reject(handlerError)));
            return true;
          }
          if (m.type === 'error' && m.id === id) {
            finish(() => reject(deviceError(m, 'run', link)));
            return true;
          }
          if (m.type !== 'effect' || m.run !== id) return false;
          begun();
          if (current?.id === m.id) {
            if (current.reply) send(current.reply); // our reply was lost: the same reply again
            return true;
          }
          if (current !== undefined && current.reply === undefined) {
            // the device waits for the reply to its request before it asks again: anything else is a broken or hostile device
            this.abandonedRun = id;
            finish(() => reject(new CaxError('E_PROTOCOL', `${link}: the device asked for effect ${m.id} before the reply to effect ${current!.id}`)));
            return true;
          }
          current = { id: m.id };
          effects++;
          void answerEffect(m);
          return true;
        },
        frameLost: () => {
          // A frame went missing: ask again (the device repeats its last effect
          // request or its result), unless a handler's requests are in flight.
          if (handling) return;
          clearTimeout(resendTimer);
          resendTimer = setTimeout(() => send(runFrame), QUIET_MS);
        },
        activity: () => {
          if (started) armQuiet();
        },
        closed: (error) => finish(() => reject(error)),
      };
      if (options.signal?.aborted) return reject(aborted('run'));
      options.signal?.addEventListener('abort', onAbort);
      this.waiters.add(waiter);
      armWatchdog();
      start();
    });
  }

  private chunkBytes(): number {
    return Math.min(this.chunk, this.info.maxChunk);
  }

  /** Adapts the chunk size to the line: a long frame on a noisy line is rarely received whole. */
  private noteSends(sends: number): void {
    if (sends > 2) {
      this.chunk = Math.max(MIN_CHUNK, this.chunk >> 1);
      this.cleanRequests = 0;
    } else if (sends === 1 && ++this.cleanRequests >= 16) {
      this.chunk = Math.min(this.info.maxChunk, this.chunk * 2);
      this.cleanRequests = 0;
    }
  }

  /** Restarts the device when the transport can (then says hello again); false when it cannot. */
  private async restartDevice(): Promise<boolean> {
    if (!this.transport.restart) return false;
    await this.transport.restart();
    this.decoder.discard();
    this.abandonedRun = undefined;
    await this.hello();
    return true;
  }

  async close(): Promise<void> {
    clearTimeout(this.staleTimer);
    // Leave the device at the rate the session found it at, so the next session (without --baud) can talk to it.
    if (this.firstBaud !== undefined && this.firstBaud !== this.transport.baud && !this.closedError && this.abandonedRun === undefined) {
      await this.hello({ baud: this.firstBaud }).catch(() => undefined);
    }
    await this.transport.close();
    this.fail(new CaxError('E_LINK', `${this.transport.name}: closed`));
  }

  private takeId(): number {
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    return id;
  }

  private usable(): CaxError | undefined {
    if (this.closedError) return this.closedError;
    if (this.abandonedRun !== undefined) {
      return new CaxError('E_LINK', `${this.transport.name}: the device may still be running an abandoned program; wait for it or reset the device`);
    }
    return undefined;
  }

  private fail(error: CaxError): void {
    this.closedError ??= error;
    for (const w of [...this.waiters]) w.closed(error);
  }

  private frameLost(): void {
    for (const w of [...this.waiters]) w.frameLost();
  }

  private receive(bytes: Uint8Array): void {
    const events = this.decoder.push(bytes);
    clearTimeout(this.staleTimer);
    if (this.decoder.midFrame) {
      for (const w of [...this.waiters]) w.activity();
      // A frame whose end never comes (its delimiter was lost) is a lost frame.
      this.staleTimer = setTimeout(() => {
        this.decoder.discard();
        this.badFrames++;
        this.frameLost();
      }, this.timeoutMs);
    }
    for (const event of events) {
      const m = event.kind === 'frame' ? decodeDeviceMessage(event.message) : undefined;
      if (!m) {
        this.badFrames++;
        this.frameLost();
        continue;
      }
      if (m.type === 'result' && m.id === this.abandonedRun) this.abandonedRun = undefined;
      if (m.type === 'error' && m.id === 0) {
        this.frameLost();
        continue;
      }
      for (const w of [...this.waiters]) if (w.message(m)) break;
    }
  }

  /**
   * Sends one request and waits for its answer of type `expect`, sending it
   * again while the line stays quiet. With `piece`, the bytes of a request
   * that may be replaced by a smaller one (CHUNK, READ, WRITE): after
   * CUT_AFTER sends with no answer but damaged frames, when the piece is
   * longer than MIN_CHUNK, halves the chunk size below it and resolves to
   * undefined (the caller sends the smaller piece).
   */
  private request<K extends DeviceMessage['type']>(make: (id: number) => Request, expect: K, options: CallOptions): Promise<Extract<DeviceMessage, { type: K }>>;
  private request<K extends DeviceMessage['type']>(make: (id: number) => Request, expect: K, options: CallOptions, piece: number): Promise<Extract<DeviceMessage, { type: K }> | undefined>;
  private request<K extends DeviceMessage['type']>(make: (id: number) => Request, expect: K, options: CallOptions, piece?: number): Promise<Extract<DeviceMessage, { type: K }> | undefined> {
    const usable = this.usable();
    if (usable) return Promise.reject(usable);
    const request = make(this.takeId());
    const frame = encodeFrame(encodeRequest(request));
    const link = this.transport.name;
    const limit = this.deviceInfo?.maxMessage;
    if (limit !== undefined && frame.length > limit + 16 + Math.ceil(limit / 254)) {
      return Promise.reject(new CaxError('E_PROTOCOL', `${link}: ${request.type} frame of ${frame.length} bytes exceeds the device's limit`));
    }
    return new Promise((resolve, reject) => {
      let sends = 0;
      let quick = false;
      /** Damaged frames arrived since the first send: the line is alive but noisy. */
      let damaged = false;
      let sentAt = 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => finish(() => reject(aborted(request.type)));
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
        options.signal?.removeEventListener('abort', onAbort);
        settle();
      };
      // Quiet time before sending again; a frame still arriving postpones it,
      // but never past 4 timeouts after the send.
      const arm = (): void => {
        clearTimeout(timer);
        const wait = Math.min(quick ? QUIET_MS : this.timeoutMs, Math.max(0, sentAt + 4 * this.timeoutMs - Date.now()));
        timer = setTimeout(send, wait);
      };
      const send = (): void => {
        if (piece !== undefined && piece > MIN_CHUNK && damaged && sends >= CUT_AFTER) {
          this.chunk = Math.max(MIN_CHUNK, Math.min(this.chunk, piece) >> 1);
          this.cleanRequests = 0;
          finish(() => resolve(undefined));
          return;
        }
        if (sends >= this.retries) {
          finish(() => reject(new CaxError('E_LINK', `${link}: no answer to ${request.type} after ${sends} tries`, { details: { timeoutMs: this.timeoutMs } })));
          return;
        }
        sends++;
        quick = false;
        sentAt = Date.now();
        arm();
        this.transport.send(frame).catch((e: unknown) => finish(() => reject(e)));
      };
      const waiter: Waiter = {
        message: (m) => {
          if (m.id !== request.id) return false;
          if (m.type === expect) {
            if (this.deviceInfo) this.noteSends(sends);
            finish(() => resolve(m as Extract<DeviceMessage, { type: K }>));
            return true;
          }
          if (m.type === 'error') {
            finish(() => reject(deviceError(m, request.type, link)));
            return true;
          }
          return false;
        },
        frameLost: () => {
          damaged = true;
          quick = true;
          arm();
        },
        activity: arm,
        closed: (error) => finish(() => reject(error)),
      };
      if (options.signal?.aborted) return reject(aborted(request.type));
      options.signal?.addEventListener('abort', onAbort);
      this.waiters.add(waiter);
      send();
    });
  }
}
