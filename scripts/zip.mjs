// `npm run zip`: builds dist/ and packs it into emoface-<version>.zip for the Chrome Web Store; with
// `-- --firefox`, dist-firefox/ into emoface-<version>-firefox.zip for addons.mozilla.org (`--built`: pack
// the folder as it is, without building).
// A plain zip writer (deflate from node:zlib, CRC-32 below): no archiver dependency for 80 lines.
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import { build } from './build.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 (ISO-HDLC), as zip stores it. */
function crc32(bytes) {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Every file under `dir`, as paths relative to it with forward slashes, sorted (a reproducible zip). */
function listFiles(dir) {
  const out = [];
  const walk = (d) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return out;
}

/** A zip archive of `files` ([name, bytes]), each deflated, with fixed timestamps (1 Jan 2026). */
export function zip(files) {
  const DOS_TIME = 0;
  const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1;
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const [name, bytes] of files) {
    const nameBytes = Buffer.from(name, 'utf8');
    const packed = deflateRawSync(bytes, { level: 9 });
    const crc = crc32(bytes);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(bytes.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    local.copy(central, 8, 6, 28); // flags … name length are the same fields
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + packed.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { firefox: { type: 'boolean', default: false }, built: { type: 'boolean', default: false } } });
  const browser = values.firefox ? 'firefox' : 'chrome';
  const dist = values.built ? join(ROOT, browser === 'firefox' ? 'dist-firefox' : 'dist') : build(browser);
  const { version } = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
  const out = join(ROOT, `emoface-${version}${browser === 'firefox' ? '-firefox' : ''}.zip`);
  const files = listFiles(dist).filter((name) => !name.startsWith('.vite/')).map((name) => [name, readFileSync(join(dist, name))]);
  writeFileSync(`${out}.tmp`, zip(files));
  renameSync(`${out}.tmp`, out);
  console.log(`${relative(process.cwd(), out)}: ${files.length} files, ${(statSync(out).size / 1e6).toFixed(1)} MB`);
}
