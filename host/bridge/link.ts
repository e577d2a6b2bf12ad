// What the bridge needs of a running model, whichever transport carries the
// commands (protocol.ts): commands without a reply held until the next
// request, a request answered by one reply line, the block's printed output,
// closing, and killing (to check that a dead model is reported).
export interface HarnessLink {
  /** Queues a command that has no reply; it goes out with the next request. */
  hold(command: string): void;
  /** Sends the held commands and `command`, resolving to the reply line. */
  request(command: string): Promise<string>;
  /** Stops the model. */
  close(): Promise<void>;
  /** The tail of what the block printed ($display, Verilator's $finish message). */
  readonly output: string;
  /** Ends the model abruptly: every later request fails with E_BRIDGE_DIED. */
  kill(): void;
}
