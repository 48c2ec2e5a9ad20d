// Measures the app at scale (a site built with the generated 10,000-article corpus): home first
// render, start-up, memory and DOM size, then search latency per keystroke.
//
// Options (or a `--config` JSON file): --base URL (the 10,000-article site's /reader/),
// --baselineBase URL (optional: the normal site, for comparison), --query TEXT (default
// "harbour council"), --storyText TEXT (the first story counts once it contains this, e.g.
// "(generated)"), --loads N (cold home loads, default 3), --out FILE.
import { launch, run, median, fixed } from './lib.mjs';

const KEYSTROKE_BUDGET_MS = 16;

/// Runs before the page's scripts: when the first story is in the DOM, when the app started,
/// the wasm memory, long tasks, and per search keystroke the time from the input event until
/// the last change it made to the page (else until the main thread is free), and until the
/// next frame.
function probe(storyText) {
  const b = { firstStory: null, started: null, longTasks: [], keys: [] };
  window.__bench = b;
  const check = () => {
    if (b.firstStory !== null) return;
    const story = document.querySelector('.story-list li, [aria-label="Stories"] li');
    if (story && story.textContent.includes(storyText)) b.firstStory = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true });
  addEventListener('TrunkApplicationStarted', (e) => {
    b.started = performance.now();
    window.__benchWasm = e.detail?.wasm;
  });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) b.longTasks.push({ at: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
  // Capture phase on the window: runs before the app's own input listener.
  addEventListener('input', (e) => {
    const input = e.target;
    if (!(input instanceof HTMLInputElement) || input.type !== 'search') return;
    const k = { t0: performance.now(), value: input.value, lastMutation: null, idle: null, frame: null, done: false };
    b.keys.push(k);
    const scope = document.querySelector('main') ?? document.body;
    const mo = new MutationObserver(() => { k.lastMutation = performance.now(); });
    mo.observe(scope, { childList: true, subtree: true, characterData: true, attributes: true });
    requestAnimationFrame(() => { k.frame = performance.now(); });
    const channel = new MessageChannel();
    channel.port1.onmessage = () => { k.idle = performance.now(); };
    channel.port2.postMessage(0);
    setTimeout(() => {
      mo.disconnect();
      k.status = document.querySelector('[role="status"].search-summary, .search-summary')?.textContent ?? '';
      k.done = true;
    }, 400);
  }, true);
}

/// CDP metrics plus the wasm memory and element count of the page as it is now.
async function memory(page) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage').catch(() => {});
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
  const page_ = await page.evaluate(() => ({
    wasm: window.__benchWasm?.memory?.buffer?.byteLength ?? null,
    elements: document.getElementsByTagName('*').length,
  }));
  await cdp.detach();
  return { heap: m.JSHeapUsedSize, nodes: m.Nodes, ...page_ };
}

/// One cold load of home in a fresh context; the first story counts once it contains
/// `storyText`.
async function home(browser, base, storyText = '') {
  const context = await browser.newContext();
  await context.addInitScript(probe, storyText);
  const page = await context.newPage();
  await page.goto(base, { waitUntil: 'load', timeout: 120000 });
  await page.waitForFunction(() => window.__bench.firstStory !== null && window.__bench.started !== null, null, { timeout: 120000 });
  await page.waitForTimeout(1000);
  const b = await page.evaluate(() => {
    const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
    const { firstStory, started, longTasks } = window.__bench;
    return { firstStory, started, longTasks, wasmEnd: wasm?.responseEnd ?? null, wasmBytes: wasm?.decodedBodySize ?? null };
  });
  return { context, page, ...b, longest: Math.max(0, ...b.longTasks.map((t) => t.ms)) };
}

const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;

await run(async (results, opts) => {
  const loads = Math.max(1, Number(opts.loads ?? 3));
  const query = opts.query ?? 'harbour council';
  const browser = await launch();
  try {
    let baseline = null;
    if (opts.baselineBase) {
      const runs = [];
      for (let i = 0; i < loads; i += 1) {
        const r = await home(browser, opts.baselineBase);
        await r.context.close();
        runs.push(r);
      }
      baseline = { firstStory: median(runs.map((r) => r.firstStory)), started: median(runs.map((r) => r.started)) };
    }
    const runs = [];
    for (let i = 0; i < loads; i += 1) {
      const r = await home(browser, opts.base, opts.storyText ?? '');
      console.log(`    load ${i + 1}: wasm loaded ${fixed(r.wasmEnd, 0)} ms (${mb(r.wasmBytes ?? 0)}), wasm started ${fixed(r.started, 0)} ms, first story ${fixed(r.firstStory, 0)} ms, longest task ${fixed(r.longest, 0)} ms`);
      if (i < loads - 1) await r.context.close();
      runs.push(r);
    }
    const last = runs[runs.length - 1];
    const first = median(runs.map((r) => r.firstStory));
    const started = median(runs.map((r) => r.started));
    const wasmEnd = median(runs.map((r) => r.wasmEnd));
    results.figure(
      `Home first render (first story in the DOM, median of ${loads} cold loads)`,
      `${fixed(first, 0)} ms${baseline ? ` (1-article site: ${fixed(baseline.firstStory, 0)} ms)` : ''}`,
    );
    results.figure(
      'Start-up (wasm downloaded / wasm started / longest start-up task)',
      `${fixed(wasmEnd, 0)} ms / ${fixed(started, 0)} ms / ${fixed(median(runs.map((r) => r.longest)), 0)} ms (wasm ${mb(last.wasmBytes ?? 0)} decoded)${baseline ? `; 1-article site's wasm started at ${fixed(baseline.started, 0)} ms` : ''}`,
    );
    results.note('with prerendered pages the first story comes with the HTML; the start-up work at this size (parsing every bundled article in the browser, Corpus::bundled, then building the search index in slices) shows in the longest start-up task and in when search is ready');

    const page = last.page;
    const onHome = await memory(page);
    results.figure('DOM size on home (elements / all nodes)', `${onHome.elements} / ${onHome.nodes}`);

    // Search is ready once a query gets results rather than a "Preparing search" status (the
    // app may build its index in the background after the front page appears).
    const box = page.getByRole('searchbox', { name: 'Search articles' });
    await box.click();
    await page.keyboard.type('a');
    await page.waitForFunction(() => {
      const text = document.querySelector('[role="status"].search-summary, .search-summary')?.textContent ?? '';
      return text !== '' && !text.startsWith('Preparing');
    }, null, { timeout: 120000, polling: 10 });
    const ready = await page.evaluate(() => performance.now());
    results.figure('Search ready (from navigation; a query gets results)', `${fixed(ready, 0)} ms`);
    await page.keyboard.press('Backspace');
    await page.waitForTimeout(500);
    await page.evaluate(() => { window.__bench.keys = []; });
    const before = await memory(page);
    results.figure(
      'Memory on home with the search index (JS heap / wasm linear memory)',
      `${mb(before.heap)} / ${before.wasm === null ? 'n/a' : mb(before.wasm)}`,
    );

    for (let i = 0; i < query.length; i += 1) {
      await page.keyboard.type(query[i]);
      await page.waitForFunction((n) => window.__bench.keys.length >= n && window.__bench.keys[n - 1].done, i + 1, { timeout: 60000 });
      await page.waitForTimeout(100);
    }
    const keys = await page.evaluate(() => window.__bench.keys);
    // The last DOM change the keystroke caused; a keystroke that changes nothing (a trailing
    // space) counts until the main thread was free again.
    const answered = keys.map((k) => (k.lastMutation ?? k.idle) - k.t0);
    const frames = keys.map((k) => (k.frame ?? NaN) - k.t0);
    keys.forEach((k, i) => console.log(`    "${k.value}": answered ${fixed(answered[i])} ms, next frame ${fixed(frames[i])} ms — ${k.status}`));
    const rest = answered.slice(1);
    const preparing = keys.filter((k) => (k.status ?? '').startsWith('Preparing')).length;
    if (preparing) results.note(`${preparing} keystrokes were answered with "Preparing search" rather than results`);
    results.figure(
      `Search "${query}" per keystroke, input to results in the DOM (median / max)`,
      `${fixed(median(answered))} ms / ${fixed(Math.max(...answered))} ms; first keystroke ${fixed(answered[0])} ms, later ones max ${fixed(Math.max(...rest))} ms`,
      `every keystroke ≤ ${KEYSTROKE_BUDGET_MS} ms`,
      Math.max(...answered) <= KEYSTROKE_BUDGET_MS,
      `${answered.filter((a) => a > KEYSTROKE_BUDGET_MS).length} of ${answered.length} keystrokes over, the slowest by ${fixed(Math.max(...answered) - KEYSTROKE_BUDGET_MS, 0)} ms`,
    );
    results.figure(
      'Search, input to the next frame (median / max)',
      `${fixed(median(frames))} ms / ${fixed(Math.max(...frames))} ms`,
    );
    const after = await memory(page);
    results.figure(
      'After searching (JS heap / wasm memory / elements)',
      `${mb(after.heap)} / ${after.wasm === null ? 'n/a' : mb(after.wasm)} / ${after.elements}`,
    );
    await last.context.close();
  } finally {
    await browser.close();
  }
});
