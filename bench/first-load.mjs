// What an article link loads on a first visit, each body compressed with brotli (quality 11):
// part 2's method (bench/size.mjs), shared with part 6 (bench/scale.mjs), which compares the
// same link on the one-article site and on the large ones.
import { brotliCompressSync, constants } from 'node:zlib';

export function brotli(body) {
  return brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  }).length;
}

/// Bytes per kind of section of a WebAssembly module (code, data, custom such as names, other).
export function wasmSections(bytes) {
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

/// Opens `url` in a fresh context of `browser` and lists every response, `{ url, status,
/// worker, raw, br, sections }`: `worker` marks what the service worker fetched afterwards
/// (its precache), which a first load does not wait for. `pageRows`: the page's own; `raw`
/// and `br` their totals.
export async function firstLoad(browser, url) {
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
  await page.goto(url, { waitUntil: 'networkidle' });
  await page.waitForTimeout(1000);
  const rows = (await Promise.all(pending)).filter(Boolean);
  await context.close();
  // Service worker response bodies are not exposed: fetch those files again to size them.
  for (const r of rows.filter((x) => x.worker && x.raw === 0)) {
    const body = Buffer.from(await (await fetch(r.url)).arrayBuffer());
    r.raw = body.length;
    r.br = body.length ? brotli(body) : 0;
  }
  const pageRows = rows.filter((r) => !r.worker);
  return {
    pageRows,
    workerRows: rows.filter((r) => r.worker),
    raw: pageRows.reduce((n, r) => n + r.raw, 0),
    br: pageRows.reduce((n, r) => n + r.br, 0),
  };
}

/// Prints one response as a line, its address relative to `origin`.
export function show(origin, r) {
  console.log(
    `    ${r.url.replace(origin, '').padEnd(56)} ${String(r.status).padStart(4)} ${String(r.raw).padStart(9)} B raw ${String(r.br).padStart(8)} B brotli`,
  );
}
