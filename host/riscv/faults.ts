// Fault scripting for the ISS's UART line, so host code can be tested
// against a misbehaving co-processor: each byte on the line (host → program
// or program → host) can be passed, dropped, replaced or delayed, chosen by a
// script; `byFrame` turns a per-frame script into a per-byte one for
// delimiter-framed protocols (COBS frames end with 0x00).

/** What happens to one byte on the line. A delay also holds back every later byte (a line keeps order). */
export type LineAction = 'pass' | 'drop' | { readonly replaceWith: number } | { readonly delayCycles: number };

/** Decides the fate of the `index`-th byte (counted from 0 per direction) on the line. */
export type LineFault = (byte: number, index: number) => LineAction;

export interface LineFaults {
  /** Bytes the host sends to the program. */
  readonly receive?: LineFault;
  /** Bytes the program transmits to the host. */
  readonly transmit?: LineFault;
}

/** A per-frame action: the whole frame passes, is dropped, has its first byte flipped, or is delayed. */
export type FrameAction = 'pass' | 'drop' | 'corrupt' | { readonly delayCycles: number };

/** A LineFault acting on whole frames that end with `delimiter`; `script` gets the frame's index. */
export function byFrame(script: (frameIndex: number) => FrameAction, delimiter = 0): LineFault {
  let frame = 0;
  let first = true;
  return (byte) => {
    const action = script(frame);
    const isFirst = first;
    first = byte === delimiter;
    if (first) frame++;
    if (action === 'pass') return 'pass';
    if (action === 'drop') return 'drop';
    if (action === 'corrupt') return isFirst ? { replaceWith: byte ^ 0x5a } : 'pass';
    return isFirst ? action : 'pass';
  };
}
