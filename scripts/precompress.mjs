// Writes `<file>.br` and `<file>.gz` beside each file given, at the highest compression, so the server sends
// static assets compressed without spending CPU per request. Node's own zlib: nothing to install.
import { readFileSync, writeFileSync } from "node:fs";
import { brotliCompressSync, gzipSync, constants } from "node:zlib";

for (const file of process.argv.slice(2)) {
  const bytes = readFileSync(file);
  const brotli = brotliCompressSync(bytes, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  writeFileSync(`${file}.br`, brotli);
  writeFileSync(`${file}.gz`, gzipSync(bytes, { level: 9 }));
  console.error(`[precompress] ${file}: ${bytes.length} bytes, brotli ${brotli.length}`);
}
