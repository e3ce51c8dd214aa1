// Writes a brotli (.br) and a gzip (.gz) copy beside each file of the
// console's bundle, at the strongest settings: the server sends the copy
// the browser accepts (tower-http's ServeDir), so nothing is compressed per
// request. Prints each file's sizes. Usage: node scripts/precompress.mjs [dir]
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const dir = process.argv[2] ?? 'target/site/pkg';
const worth = /\.(wasm|js|css|json|svg)$/;
for (const name of readdirSync(dir).sort()) {
  const path = join(dir, name);
  if (!worth.test(name) || !statSync(path).isFile()) continue;
  const raw = readFileSync(path);
  const br = brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
  const gz = gzipSync(raw, { level: 9 });
  writeFileSync(`${path}.br`, br);
  writeFileSync(`${path}.gz`, gz);
  console.log(`${name}: ${raw.length} bytes, ${br.length} brotli, ${gz.length} gzip`);
}
