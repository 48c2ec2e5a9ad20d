// Measures the first-load transfer of an article link: loads it in a fresh Chromium context,
// lists every response the page itself loaded and compresses each body with brotli (quality 11).
//
// Options (or a `--config` JSON file): --articleUrl URL, --out FILE.
import { launch, run } from './lib.mjs';
import { firstLoad, show as showRow } from './first-load.mjs';

/// Issue 13: at most 150 KB (ahead of the Leptos hackernews example's 149 KB), aim 110 KB.
const BUDGET_KB = 150;
const AIM_KB = 110;

await run(async (results, opts) => {
  const browser = await launch();
  try {
    const { pageRows, workerRows, raw, br } = await firstLoad(browser, opts.articleUrl);
    const origin = new URL(opts.articleUrl).origin;
    const show = (r) => showRow(origin, r);
    console.log(`  loaded by the page (${pageRows.length} responses):`);
    pageRows.forEach(show);
    const kb = br / 1024;
    const wasm = pageRows.filter((r) => r.url.endsWith('.wasm')).reduce((n, r) => n + r.br, 0);
    results.figure(
      'First-load transfer of an article link (brotli q11)',
      `${kb.toFixed(1)} KB (${pageRows.length} files, ${(raw / 1024).toFixed(1)} KB raw; wasm ${(wasm / 1024).toFixed(1)} KB)${kb <= BUDGET_KB && kb > AIM_KB ? `; ${(kb - AIM_KB).toFixed(1)} KB over the aim` : ''}`,
      `≤ ${BUDGET_KB} KB (aim ${AIM_KB} KB)`,
      kb <= BUDGET_KB,
      `${(kb - BUDGET_KB).toFixed(1)} KB (${(kb / BUDGET_KB).toFixed(2)}x the budget, ${(kb - AIM_KB).toFixed(1)} KB over the aim)`,
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
