// The ports of a Verilated top module, read from the model header Verilator
// generates (`VL_IN8(&clk,0,0);`, `VL_OUTW(&wide,69,0,3);` …). The header
// lists every port with its direction, bit range and C storage type, which is
// all the bridge's C++ harness needs to drive and observe it.
import { CaxError, unsupported } from '../errors.js';

/** How Verilator stores a port: 8/16/32/64-bit integers, or an array of 32-bit words. */
export type PortStorage = 'u8' | 'u16' | 'u32' | 'u64' | 'words';

export interface Port {
  readonly name: string;
  readonly direction: 'input' | 'output';
  readonly width: number;
  readonly storage: PortStorage;
  /** Index in the harness's port table and in every snapshot. */
  readonly index: number;
}

const STORAGE: Readonly<Record<string, PortStorage>> = { '8': 'u8', '16': 'u16', '': 'u32', '64': 'u64', W: 'words' };

const PORT_LINE = /^\s*VL_(IN|OUT|INOUT)(8|16|64|W|)\(&(\w+),(\d+),(\d+)(?:,(\d+))?\);/;

/** Parses the ports out of a Verilator model header `V<top>.h`. */
export function parsePorts(header: string, headerName: string): Port[] {
  const ports: Port[] = [];
  for (const line of header.split('\n')) {
    const m = PORT_LINE.exec(line);
    if (!m) continue;
    const [, dir, size, name, msb, lsb] = m as unknown as [string, string, string, string, string, string];
    if (dir === 'INOUT') throw unsupported(`inout port '${name}' in the bridge`);
    if (Number(lsb) !== 0) throw unsupported(`port '${name}' with a bit range not ending at 0 ([${msb}:${lsb}])`);
    const storage = STORAGE[size];
    if (storage === undefined) throw new CaxError('E_PROTOCOL', `unknown Verilator port type VL_${dir}${size} in ${headerName}`);
    ports.push({ name, direction: dir === 'IN' ? 'input' : 'output', width: Number(msb) + 1, storage, index: ports.length });
  }
  if (ports.length === 0) throw new CaxError('E_PROTOCOL', `no ports found in Verilator header ${headerName}`);
  return ports;
}
