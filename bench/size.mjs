// Measures the first-load transfer of an article link: loads it in a fresh Chromium context,
// lists every response the page itself loaded and compresses each body with brotli (quality 11).
//
// Options (or a `--config` JSON file): --articleUrl URL, --out FILE.
import { brotliCompressSync, constants } from 'node:zlib';
import { launch, run } from './lib.mjs';

const BUDGET_KB = 110;

function brotli(body) {
  return brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  }).length;
}

/// Bytes per kind of section of a WebAssembly module (code, data, custom such as names, other).
function wasmSections(bytes) {
  if (bytes.length < 8 || bytes.readUInt32LE(0) !== 0x6d736100) return undefined;
  const sizes = { code: 0, data: 0, custom: 0, other: 0 };
  let at = 8;
  const leb = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[at];
      at += 1;
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const id = bytes[at];
    at += 1;
    const size = leb();
    const kind = id === 10 ? 'code' : id === 11 ? 'data' : id === 0 ? 'custom' : 'other';
    sizes[kind] += size;
    at += size;
  }
  return sizes;
}

await run(async (results, opts) => {
  const browser = await launch();
  try {
    const context = await browser.newContext();
    const page = await context.newPage();
    const pending = [];
    // Context-level responses include those of the service worker, which precaches the site
    // in the background after the page has loaded; they are listed apart.
    context.on('response', (response) => {
      pending.push((async () => {
        let worker = false;
        try {
          worker = Boolean(response.request().serviceWorker());
        } catch {
          // Older playwright-core: no service worker requests at context level.
        }
        let body = Buffer.alloc(0);
        try {
          body = await response.body();
        } catch {
          // Redirects and aborted requests have no body.
        }
        return {
          url: response.url(),
          status: response.status(),
          worker,
          raw: body.length,
          br: body.length ? brotli(body) : 0,
          sections: response.url().endsWith('.wasm') ? wasmSections(body) : undefined,
        };
      })().catch(() => null));
    });
    await page.goto(opts.articleUrl, { waitUntil: 'networkidle' });
    await page.waitForTimeout(1000);
    const rows = (await Promise.all(pending)).filter(Boolean);
    await context.close();
    // Service worker response bodies are not exposed: fetch those files again to size them.
    for (const r of rows.filter((x) => x.worker && x.raw === 0)) {
      const body = Buffer.from(await (await fetch(r.url)).arrayBuffer());
      r.raw = body.length;
      r.br = body.length ? brotli(body) : 0;
    }

    const origin = new URL(opts.articleUrl).origin;
    const show = (r) => console.log(
      `    ${r.url.replace(origin, '').padEnd(56)} ${String(r.status).padStart(4)} ${String(r.raw).padStart(9)} B raw ${String(r.br).padStart(8)} B brotli`,
    );
    const pageRows = rows.filter((r) => !r.worker);
    const workerRows = rows.filter((r) => r.worker);
    console.log(`  loaded by the page (${pageRows.length} responses):`);
    pageRows.forEach(show);
    const raw = pageRows.reduce((n, r) => n + r.raw, 0);
    const br = pageRows.reduce((n, r) => n + r.br, 0);
    const kb = br / 1024;
    const wasm = pageRows.filter((r) => r.url.endsWith('.wasm')).reduce((n, r) => n + r.br, 0);
    results.figure(
      'First-load transfer of an article link (brotli q11)',
      `${kb.toFixed(1)} KB (${pageRows.length} files, ${(raw / 1024).toFixed(1)} KB raw; wasm ${(wasm / 1024).toFixed(1)} KB)`,
      `≤ ${BUDGET_KB} KB`,
      kb <= BUDGET_KB,
      `${(kb - BUDGET_KB).toFixed(1)} KB (${(kb / BUDGET_KB).toFixed(2)}x the budget)`,
    );
    for (const r of pageRows.filter((x) => x.url.endsWith('.wasm'))) {
      const s = r.sections;
      if (s) {
        const kbs = (n) => `${(n / 1024).toFixed(0)} KB`;
        results.figure(
          'wasm sections (raw)',
          `code ${kbs(s.code)}, data ${kbs(s.data)}, custom ${kbs(s.custom)}, other ${kbs(s.other)}`,
        );
      }
    }
    if (workerRows.length) {
      console.log(`  fetched by the service worker afterwards (${workerRows.length} responses, not counted):`);
      workerRows.forEach(show);
      const wbr = workerRows.reduce((n, r) => n + r.br, 0);
      results.figure(
        'Service worker precache after the first load (brotli, not counted above)',
        `${(wbr / 1024).toFixed(1)} KB in ${workerRows.length} files`,
      );
    }
  } finally {
    await browser.close();
  }
});
