// kernelkit's kernelspec logo, drawn at install time (no binary files in the repository): a
// rounded dark square holding a light "k".
import { deflateSync } from "node:zlib";

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function inK(x: number, y: number): boolean {
  // In unit coordinates: a stem and two arms.
  if (x >= 0.28 && x <= 0.4 && y >= 0.2 && y <= 0.8) return true;
  const d1 = Math.abs(y - 0.5 + (x - 0.4) * 0.95);
  const d2 = Math.abs(y - 0.5 - (x - 0.4) * 0.95);
  return x >= 0.38 && x <= 0.74 && (d1 < 0.07 || d2 < 0.07) && y >= 0.18 && y <= 0.82;
}

/** An RGBA PNG of `size`×`size` pixels. */
export function logoPng(size: number): Buffer {
  const raw = Buffer.alloc(size * (size * 4 + 1));
  const r = size * 0.18;
  for (let y = 0; y < size; y++) {
    const row = y * (size * 4 + 1);
    raw[row] = 0;
    for (let x = 0; x < size; x++) {
      const cx = Math.min(x, size - 1 - x);
      const cy = Math.min(y, size - 1 - y);
      const outside = cx < r && cy < r && Math.hypot(r - cx, r - cy) > r;
      const k = inK((x + 0.5) / size, (y + 0.5) / size);
      const p = row + 1 + x * 4;
      const [R, G, B] = k ? [0xf7, 0xdf, 0x1e] : [0x1f, 0x2a, 0x44];
      raw[p] = R;
      raw[p + 1] = G;
      raw[p + 2] = B;
      raw[p + 3] = outside ? 0 : 255;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8;
  ihdr[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}
