// Rebuilds data/prideprejudice.txt.gz: Jane Austen's Pride and Prejudice (public domain) as plain text, from
// the Debian package r-cran-janeaustenr (the R package janeaustenr by Julia Silge, MIT). The novel is stored
// there as an R character vector (one element per line) in the lazy-load database data/Rdata.rdx + Rdata.rdb;
// this reads that format directly (no R needed): only the serialization types those objects use.
// Lines are joined with "\n" (NA → empty line) plus a final "\n". Then gzip -9 (Node's zlib).
// Usage: node scripts/data/pride-and-prejudice.mjs [unpacked .deb root]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';
import { DATA, debPackage, expectSha256, writeGzip } from './common.mjs';

export const PRIDE_SHA256 = 'dfc684d4f857fa938268f9ab9c5567b64bd0691251eca959644adeabe6287a4d';

/** R's XDR serialization (format 2 or 3) → JS values: vectors as arrays, attributes under `.attr`. */
function unserialize(buf) {
  let p = 0;
  const refs = [];
  const int = () => { const v = buf.readInt32BE(p); p += 4; return v; };
  if (buf.toString('latin1', 0, 2) !== 'X\n') throw new Error('not an XDR R serialization');
  p = 2;
  const version = int();
  int(); int(); // writer and minimal reader versions
  if (version === 3) { const n = int(); p += n; } // native encoding name
  function item() {
    const flags = int();
    const type = flags & 0xff;
    let val;
    switch (type) {
      case 254: return null; // NILVALUE_SXP
      case 255: { let i = flags >> 8; if (i === 0) i = int(); return refs[i - 1]; } // REFSXP
      case 1: { const sym = { sym: item() }; refs.push(sym); return sym; } // SYMSXP
      case 9: { const n = int(); if (n === -1) return null; const s = buf.toString('utf8', p, p + n); p += n; return s; } // CHARSXP (NA → null)
      case 10: case 13: { const n = int(); val = []; for (let i = 0; i < n; i++) val.push(int()); break; } // LGLSXP, INTSXP
      case 14: { const n = int(); val = []; for (let i = 0; i < n; i++) { val.push(buf.readDoubleBE(p)); p += 8; } break; } // REALSXP
      case 16: case 19: { const n = int(); val = []; for (let i = 0; i < n; i++) val.push(item()); break; } // STRSXP, VECSXP
      case 2: { // LISTSXP: a pairlist (attributes): tag → value
        const out = {};
        let f = flags;
        for (;;) {
          if (f & (1 << 9)) item();
          const tag = f & (1 << 10) ? item() : null;
          out[tag && tag.sym ? tag.sym : String(Object.keys(out).length)] = item();
          f = int();
          if ((f & 0xff) === 254) break;
          if ((f & 0xff) !== 2) throw new Error(`unexpected pairlist tail type ${f & 0xff}`);
        }
        return out;
      }
      default: throw new Error(`unsupported R type ${type} at byte ${p}`);
    }
    if (flags & (1 << 9)) val.attr = item();
    if (flags & (1 << 10)) throw new Error('unexpected tag on a vector');
    return val;
  }
  return item();
}

const named = (v) => Object.fromEntries(v.map((x, i) => [v.attr.names[i], x]));

const root = process.argv[2] ?? debPackage('r-cran-janeaustenr');
const dir = join(root, 'usr', 'lib', 'R', 'site-library', 'janeaustenr', 'data');
const index = named(unserialize(gunzipSync(readFileSync(join(dir, 'Rdata.rdx')))));
const [offset, length] = named(index.variables).prideprejudice;
const rdb = readFileSync(join(dir, 'Rdata.rdb'));
const entry = rdb.subarray(offset, offset + length); // 4-byte length, then a zlib stream
const lines = unserialize(inflateSync(entry.subarray(4)));
const text = Buffer.from(lines.map((l) => l ?? '').join('\n') + '\n', 'utf8');
console.log(`prideprejudice: ${lines.length} lines, ${new Set(text.toString('utf8')).size} distinct characters`);
expectSha256('prideprejudice.txt', text, PRIDE_SHA256);
writeGzip(join(DATA, 'prideprejudice.txt.gz'), text);
