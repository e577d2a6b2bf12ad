// A short session with a co-processor on a serial port (a board, or the
// simulation's pseudo-terminal): open the port, say hello, do some work, close.
// `cax device` runs its commands in one; the farm reads and resets its boards
// with it, so a farm worker reads a board's identity exactly as `cax device
// info` does.
import { CoprocessorClient, type DeviceInfo } from './client.js';
import { DEFAULT_BAUD, SerialTransport } from './serial.js';

export interface DeviceLinkOptions {
  /** The rate to work at: the port opens at the board's 115200 and the hello asks the device for this one (docs/protocol.md). */
  readonly baud?: number;
  /** Quiet time before a request is sent again (ms; default 1000). */
  readonly timeoutMs?: number;
}

/** `work` with a client on the co-processor at `port` (E_LINK when the port cannot be opened or does not answer). */
export async function withDevice<T>(port: string, options: DeviceLinkOptions, work: (client: CoprocessorClient) => Promise<T>): Promise<T> {
  const client = await CoprocessorClient.connect(await SerialTransport.open(port, DEFAULT_BAUD), { timeoutMs: options.timeoutMs ?? 1000, baud: options.baud ?? DEFAULT_BAUD });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/** The co-processor's hello at `port`: firmware and protocol versions, core, ISA, memory and frame limits. */
export const readDeviceInfo = (port: string, options: DeviceLinkOptions = {}): Promise<DeviceInfo> => withDevice(port, options, (client) => Promise.resolve(client.info));
