// Times "article text in the DOM" side by side: the hand-written static page of the seed
// article against the app's article page, cold cache (a fresh browser context per load),
// alternating which goes first; also the app page's cumulative layout shift.
//
// Options (or a `--config` JSON file): --staticUrl URL, --articleUrl URL, --lastParagraph TEXT,
// --runs N (at least 7), --out FILE.
import { launch, run, median, fixed } from './lib.mjs';

const BUDGET_RATIO = 1.5;
const AIM_RATIO = 1.1;

/// Runs in the page before any of its own scripts: records when the last paragraph's text is
/// first in the DOM, the first and the largest contentful paint, and every layout shift.
function probe(text) {
  window.__bench = { textAt: null, fcp: null, lcp: null, lcpElement: null, cls: 0, shifts: [] };
  const b = window.__bench;
  const check = () => {
    if (b.textAt === null && document.body && document.body.textContent.includes(text)) {
      b.textAt = performance.now();
    }
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, characterData: true });
  document.addEventListener('DOMContentLoaded', check);
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.name === 'first-contentful-paint') b.fcp = e.startTime;
    }
  }).observe({ type: 'paint', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      b.lcp = e.startTime;
      b.lcpElement = e.element ? `${e.element.tagName.toLowerCase()}${e.element.id ? `#${e.element.id}` : ''}` : e.id;
    }
  }).observe({ type: 'largest-contentful-paint', buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (!e.hadRecentInput) {
        b.cls += e.value;
        b.shifts.push({ at: Math.round(e.startTime), value: e.value });
      }
    }
  }).observe({ type: 'layout-shift', buffered: true });
}

/// One cold load of `url` in a fresh context: when the text arrived, FCP and layout shift.
async function measure(browser, url, text) {
  const context = await browser.newContext();
  try {
    await context.addInitScript(probe, text);
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction(() => window.__bench.textAt !== null, null, { timeout: 30000 });
    // Let the app settle after it takes over, so a late layout shift is counted.
    await page.waitForTimeout(1500);
    return await page.evaluate(() => window.__bench);
  } finally {
    await context.close();
  }
}

await run(async (results, opts) => {
  const runs = Math.max(7, Number(opts.runs ?? 9));
  const browser = await launch();
  try {
    // One untimed load of each warms the server and the browser's own start-up paths.
    await measure(browser, opts.staticUrl, opts.lastParagraph);
    await measure(browser, opts.articleUrl, opts.lastParagraph);
    const times = { static: [], app: [] };
    const fcp = { static: [], app: [] };
    const lcp = { static: [], app: [] };
    const cls = [];
    for (let i = 0; i < runs; i += 1) {
      const order = i % 2 === 0 ? ['static', 'app'] : ['app', 'static'];
      for (const which of order) {
        const url = which === 'static' ? opts.staticUrl : opts.articleUrl;
        const m = await measure(browser, url, opts.lastParagraph);
        times[which].push(m.textAt);
        fcp[which].push(m.fcp ?? NaN);
        lcp[which].push(m.lcp ?? NaN);
        if (which === 'app') cls.push(m.cls);
        console.log(`    run ${i + 1} ${which.padEnd(6)} text in DOM ${fixed(m.textAt)} ms, FCP ${fixed(m.fcp)} ms, LCP ${fixed(m.lcp)} ms (${m.lcpElement}), CLS ${fixed(m.cls, 4)}`);
      }
    }
    const s = median(times.static);
    const a = median(times.app);
    const ratio = a / s;
    results.figure(`Article text in the DOM, static page (median of ${runs} cold loads)`, `${fixed(s)} ms`);
    results.figure(`Article text in the DOM, app (median of ${runs} cold loads)`, `${fixed(a)} ms`);
    results.figure(
      'App / static time to article text',
      `${fixed(ratio, 2)}x`,
      `≤ ${BUDGET_RATIO}x (aim ${AIM_RATIO}x)`,
      ratio <= BUDGET_RATIO,
      `${fixed(ratio - BUDGET_RATIO, 2)}x (${fixed(a - s * BUDGET_RATIO)} ms too slow)`,
    );
    results.figure('First contentful paint, static / app (median)', `${fixed(median(fcp.static))} ms / ${fixed(median(fcp.app))} ms`);
    results.figure('Largest contentful paint, static / app (median)', `${fixed(median(lcp.static))} ms / ${fixed(median(lcp.app))} ms`);
    results.figure(
      'Cumulative layout shift on the app article page (worst of runs)',
      fixed(Math.max(...cls), 4),
      '0 (no shift after the app takes over)',
      Math.max(...cls) < 0.001,
    );
  } finally {
    await browser.close();
  }
});
