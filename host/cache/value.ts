// The inverse of the canonical value bytes of host/tel/values.ts
// (`canonicalBytes`, behind `hashOf`): a cached result of `invoke` is stored
// as those bytes and decoded here into the value it returns on a hit.
import { CaxError } from '../errors.js';
import { Dbl, HashV, Tuple, UNIT_VALUE, listFromArray, type Value } from '../tel/values.js';

/** A value from its canonical bytes; E_CORRUPT when they are not exactly one value. */
export function decodeValue(bytes: Uint8Array): Value {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 0;
  const need = (n: number): number => {
    if (at + n > b.length) throw new CaxError('E_CORRUPT', `value bytes end early at offset ${at}`);
    const start = at;
    at += n;
    return start;
  };
  // Containers being filled: each waits for `count` items.
  type Open = { readonly kind: 7 | 8; readonly count: number; readonly items: Value[] };
  const open: Open[] = [];
  let result: Value | undefined;
  const finish = (v: Value): void => {
    let value = v;
    for (;;) {
      const top = open[open.length - 1];
      if (!top) {
        result = value;
        return;
      }
      top.items.push(value);
      if (top.items.length < top.count) return;
      open.pop();
      value = top.kind === 7 ? listFromArray(top.items) : new Tuple(top.items);
    }
  };
  while (result === undefined) {
    const tag = b[need(1)];
    switch (tag) {
      case 1:
        finish(b.readInt32BE(need(4)));
        break;
      case 2: {
        const at = need(8);
        const x = b.readDoubleBE(at);
        // one NaN only (values.ts writeCanonical): any other is not canonical
        if (Number.isNaN(x) && (b.readUInt32BE(at) !== 0x7ff80000 || b.readUInt32BE(at + 4) !== 0)) throw new CaxError('E_CORRUPT', 'a NaN other than 7ff8000000000000');
        finish(new Dbl(x));
        break;
      }
      case 3: {
        const v = b[need(1)];
        if (v !== 0 && v !== 1) throw new CaxError('E_CORRUPT', `bad Bool byte ${v}`);
        finish(v === 1);
        break;
      }
      case 4: {
        const n = b.readUInt32BE(need(4));
        finish(b.subarray(need(n), at).toString('utf8'));
        break;
      }
      case 5:
        finish(UNIT_VALUE);
        break;
      case 6:
        finish(new HashV(b.subarray(need(32), at).toString('hex')));
        break;
      case 7:
      case 8: {
        const count = b.readUInt32BE(need(4));
        if (count === 0) finish(tag === 7 ? listFromArray([]) : new Tuple([]));
        else open.push({ kind: tag, count, items: [] });
        break;
      }
      default:
        throw new CaxError('E_CORRUPT', `bad value tag ${String(tag)} at offset ${at - 1}`);
    }
  }
  if (at !== b.length) throw new CaxError('E_CORRUPT', `${b.length - at} bytes after the value`);
  return result;
}
