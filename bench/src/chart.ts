/**
 * A horizontal bar chart rendered into an RGBA buffer and encoded as PNG with node:zlib only (no
 * native deps): a 5x7 bitmap font, bars with min-max whiskers.
 */
import { deflateSync } from 'node:zlib';

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
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

export function encodePng(width: number, height: number, rgba: Uint8Array): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (width * 4 + 1) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// 5x7 glyphs, one string per row ('#' = ink). Lower case is drawn as upper case.
const FONT: Record<string, string[]> = {
  A: ['.###.', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  B: ['####.', '#...#', '#...#', '####.', '#...#', '#...#', '####.'],
  C: ['.###.', '#...#', '#....', '#....', '#....', '#...#', '.###.'],
  D: ['####.', '#...#', '#...#', '#...#', '#...#', '#...#', '####.'],
  E: ['#####', '#....', '#....', '####.', '#....', '#....', '#####'],
  F: ['#####', '#....', '#....', '####.', '#....', '#....', '#....'],
  G: ['.###.', '#...#', '#....', '#.###', '#...#', '#...#', '.####'],
  H: ['#...#', '#...#', '#...#', '#####', '#...#', '#...#', '#...#'],
  I: ['.###.', '..#..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  J: ['..###', '...#.', '...#.', '...#.', '...#.', '#..#.', '.##..'],
  K: ['#...#', '#..#.', '#.#..', '##...', '#.#..', '#..#.', '#...#'],
  L: ['#....', '#....', '#....', '#....', '#....', '#....', '#####'],
  M: ['#...#', '##.##', '#.#.#', '#.#.#', '#...#', '#...#', '#...#'],
  N: ['#...#', '#...#', '##..#', '#.#.#', '#..##', '#...#', '#...#'],
  O: ['.###.', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  P: ['####.', '#...#', '#...#', '####.', '#....', '#....', '#....'],
  Q: ['.###.', '#...#', '#...#', '#...#', '#.#.#', '#..#.', '.##.#'],
  R: ['####.', '#...#', '#...#', '####.', '#.#..', '#..#.', '#...#'],
  S: ['.####', '#....', '#....', '.###.', '....#', '....#', '####.'],
  T: ['#####', '..#..', '..#..', '..#..', '..#..', '..#..', '..#..'],
  U: ['#...#', '#...#', '#...#', '#...#', '#...#', '#...#', '.###.'],
  V: ['#...#', '#...#', '#...#', '#...#', '#...#', '.#.#.', '..#..'],
  W: ['#...#', '#...#', '#...#', '#.#.#', '#.#.#', '#.#.#', '.#.#.'],
  X: ['#...#', '#...#', '.#.#.', '..#..', '.#.#.', '#...#', '#...#'],
  Y: ['#...#', '#...#', '.#.#.', '..#..', '..#..', '..#..', '..#..'],
  Z: ['#####', '....#', '...#.', '..#..', '.#...', '#....', '#####'],
  '0': ['.###.', '#...#', '#..##', '#.#.#', '##..#', '#...#', '.###.'],
  '1': ['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.'],
  '2': ['.###.', '#...#', '....#', '...#.', '..#..', '.#...', '#####'],
  '3': ['#####', '...#.', '..#..', '...#.', '....#', '#...#', '.###.'],
  '4': ['...#.', '..##.', '.#.#.', '#..#.', '#####', '...#.', '...#.'],
  '5': ['#####', '#....', '####.', '....#', '....#', '#...#', '.###.'],
  '6': ['..##.', '.#...', '#....', '####.', '#...#', '#...#', '.###.'],
  '7': ['#####', '....#', '...#.', '..#..', '.#...', '.#...', '.#...'],
  '8': ['.###.', '#...#', '#...#', '.###.', '#...#', '#...#', '.###.'],
  '9': ['.###.', '#...#', '#...#', '.####', '....#', '...#.', '.##..'],
  ' ': ['.....', '.....', '.....', '.....', '.....', '.....', '.....'],
  '-': ['.....', '.....', '.....', '#####', '.....', '.....', '.....'],
  '.': ['.....', '.....', '.....', '.....', '.....', '.##..', '.##..'],
  ',': ['.....', '.....', '.....', '.....', '.##..', '..#..', '.#...'],
  ':': ['.....', '.##..', '.##..', '.....', '.##..', '.##..', '.....'],
  '/': ['.....', '....#', '...#.', '..#..', '.#...', '#....', '.....'],
  '(': ['...#.', '..#..', '.#...', '.#...', '.#...', '..#..', '...#.'],
  ')': ['.#...', '..#..', '...#.', '...#.', '...#.', '..#..', '.#...'],
  '%': ['##...', '##..#', '...#.', '..#..', '.#...', '#..##', '...##'],
  '+': ['.....', '..#..', '..#..', '#####', '..#..', '..#..', '.....'],
  '=': ['.....', '.....', '#####', '.....', '#####', '.....', '.....'],
  _: ['.....', '.....', '.....', '.....', '.....', '.....', '#####'],
  '?': ['.###.', '#...#', '....#', '...#.', '..#..', '.....', '..#..'],
};

type RGB = readonly [number, number, number];

export class Canvas {
  readonly data: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
    bg: RGB = [255, 255, 255],
  ) {
    this.data = new Uint8Array(width * height * 4);
    this.rect(0, 0, width, height, bg);
  }
  rect(x: number, y: number, w: number, h: number, c: RGB): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++)
      for (let xx = x0; xx < x1; xx++) {
        const i = (yy * this.width + xx) * 4;
        this.data[i] = c[0];
        this.data[i + 1] = c[1];
        this.data[i + 2] = c[2];
        this.data[i + 3] = 255;
      }
  }
  /** Draws text with its top-left at (x, y); returns the width drawn. */
  text(x: number, y: number, s: string, c: RGB = [0, 0, 0], scale = 2): number {
    let cx = x;
    for (const ch of s) {
      const g = FONT[ch] ?? FONT[ch.toUpperCase()] ?? (FONT['?'] as string[]);
      g.forEach((row, ry) => {
        for (let rx = 0; rx < 5; rx++)
          if (row[rx] === '#') this.rect(cx + rx * scale, y + ry * scale, scale, scale, c);
      });
      cx += 6 * scale;
    }
    return cx - x;
  }
  textWidth(s: string, scale = 2): number {
    return s.length * 6 * scale;
  }
  png(): Buffer {
    return encodePng(this.width, this.height, this.data);
  }
}

export interface Bar {
  label: string;
  value: number;
  min: number;
  max: number;
  color: RGB;
  note?: string;
}

export const COLORS = {
  tributary: [46, 117, 182] as RGB,
  kstreams: [230, 126, 34] as RGB,
  ceiling: [90, 90, 90] as RGB,
  failed: [200, 40, 40] as RGB,
};

/** Horizontal bars (one per peer) with min-max whiskers and the value printed at the end. */
export function barChart(title: string, subtitle: string, unit: string, bars: Bar[]): Buffer {
  const labelW = Math.max(...bars.map((b) => b.label.length)) * 12 + 20;
  const rowH = 34;
  const top = 80;
  const plotW = 620;
  const noteW = Math.max(200, ...bars.map((b) => (b.note ?? `${Math.round(b.value)} ${unit}`).length * 12));
  const width = Math.max(labelW + plotW + noteW + 20, subtitle.length * 12 + 40, title.length * 18 + 40);
  const height = top + bars.length * rowH + 40;
  const c = new Canvas(width, height);
  c.text(16, 14, title, [0, 0, 0], 3);
  c.text(16, 48, subtitle, [80, 80, 80], 2);
  const maxV = Math.max(1, ...bars.map((b) => b.max));
  const x0 = labelW;
  c.rect(x0 - 1, top - 6, 2, bars.length * rowH + 8, [0, 0, 0]);
  bars.forEach((b, i) => {
    const y = top + i * rowH;
    c.text(x0 - 10 - c.textWidth(b.label), y + 8, b.label, [20, 20, 20], 2);
    const w = (b.value / maxV) * plotW;
    c.rect(x0, y + 2, Math.max(1, w), rowH - 8, b.color);
    if (b.max > b.min) {
      const xa = x0 + (b.min / maxV) * plotW;
      const xb = x0 + (b.max / maxV) * plotW;
      const ym = y + 2 + (rowH - 8) / 2;
      c.rect(xa, ym - 1, Math.max(1, xb - xa), 3, [0, 0, 0]);
      c.rect(xa, ym - 7, 2, 15, [0, 0, 0]);
      c.rect(xb - 1, ym - 7, 2, 15, [0, 0, 0]);
    }
    const txt = b.note ?? `${Math.round(b.value).toLocaleString('en-US')} ${unit}`;
    c.text(x0 + Math.max(w, (b.max / maxV) * plotW) + 10, y + 8, txt, [20, 20, 20], 2);
  });
  return c.png();
}
