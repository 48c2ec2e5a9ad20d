// Part 6: the archive at scale. Measures a site built from N generated articles against the
// one-article site (the repository's articles): home first render and start-up, the first-load
// transfer of the same article link, search for a word that occurs in one story only (cold,
// then cached), and memory after the search.
//
// Options (or a `--config` JSON file): --base URL (the large site's /reader/), --baselineBase
// URL (the one-article site's /reader/), --articlePath PATH (an article link present on both,
// relative to the base), --word WORD and --wordSlug SLUG (the planted word and the one story
// that has it), --articles N (for the labels), --loads N (cold home loads, default 5),
// --keyDelay MS (between keystrokes of the cold search, default 120), --out FILE.
import { launch, run, median, fixed } from './lib.mjs';
import { brotli, firstLoad, show } from './first-load.mjs';

// The budgets (issue 10, "Budgets").
const HOME_RATIO = 1.2;
const STARTUP_TASK_MS = 50;
const TRANSFER_RATIO = 1.05;
const LISTED_MS = 300;
const SEARCH_BYTES = 150 * 1024;
const KEYSTROKE_MS = 16;
const MEMORY_BYTES = 30 * 1024 * 1024;

/// Runs before the page's scripts: when the first story is in the DOM, when the app started,
/// the wasm memory, long tasks, when the story with the planted word is first listed among
/// the search results, and per search keystroke the time from the input event until the
/// last change it made to the page (else until the main thread is free), and until the next
/// frame.
function probe({ slug, word }) {
  const b = { firstStory: null, started: null, listed: null, longTasks: [], keys: [] };
  window.__bench = b;
  const check = () => {
    if (b.firstStory === null && document.querySelector('.story-list li')) b.firstStory = performance.now();
    // Listed for the whole word: the summary names it (a prefix may list the story earlier,
    // but the budget counts from the last keystroke).
    const last = b.keys[b.keys.length - 1];
    if (b.listed === null && slug && last?.value === word
      && (document.querySelector('.search-summary')?.textContent ?? '').includes(`“${last.value}”`)
      && document.querySelector(`ul[aria-label="Search results"] a[href$="article/${slug}"]`)) {
      b.listed = performance.now();
    }
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
      k.status = document.querySelector('.search-summary')?.textContent ?? '';
      k.done = true;
    }, 400);
  }, true);
}

/// The JS heap (after a garbage collection, through CDP), the wasm linear memory and the
/// element count of the page as it is now.
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

/// One cold load of home in a fresh context, with every data file the page receives
/// (`responses`: url, bytes, brotli bytes, when).
async function home(browser, base, slug, word) {
  const context = await browser.newContext();
  await context.addInitScript(probe, { slug, word });
  const page = await context.newPage();
  const responses = [];
  page.on('response', (response) => {
    if (!response.url().includes('/data/')) return;
    responses.push(response.body().then(
      (body) => ({ url: response.url(), bytes: body.length, br: brotli(body) }),
      () => ({ url: response.url(), bytes: 0, br: 0 }),
    ));
  });
  await page.goto(base, { waitUntil: 'load', timeout: 120000 });
  await page.waitForFunction(() => window.__bench.firstStory !== null && window.__bench.started !== null, null, { timeout: 120000 });
  // Long tasks right after start-up (the app loads the route's data, then mounts).
  await page.waitForTimeout(1000);
  const b = await page.evaluate(() => {
    const wasm = performance.getEntriesByType('resource').find((r) => r.name.endsWith('.wasm'));
    const { firstStory, started, longTasks } = window.__bench;
    return { firstStory, started, longTasks, wasmEnd: wasm?.responseEnd ?? null, wasmBytes: wasm?.decodedBodySize ?? null };
  });
  return { context, page, responses, ...b, longest: Math.max(0, ...b.longTasks.map((t) => t.ms)) };
}

/// `loads` cold loads of home; all but the last closed.
async function homes(browser, base, slug, word, loads, label) {
  const runs = [];
  for (let i = 0; i < loads; i += 1) {
    const r = await home(browser, base, slug, word);
    console.log(`    ${label} load ${i + 1}: wasm loaded ${fixed(r.wasmEnd, 0)} ms, wasm started ${fixed(r.started, 0)} ms, first story ${fixed(r.firstStory, 0)} ms, longest task ${fixed(r.longest, 0)} ms`);
    if (i < loads - 1) await r.context.close();
    runs.push(r);
  }
  return runs;
}

const mb = (bytes) => `${(bytes / 1048576).toFixed(1)} MB`;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/// Types `text` into the search box a key at a time, each keystroke's effects waited for
/// (the probe closes a keystroke 400 ms after its input event).
async function typeSettled(page, text) {
  await page.evaluate(() => { window.__bench.keys = []; });
  for (let i = 0; i < text.length; i += 1) {
    await page.keyboard.type(text[i]);
    await page.waitForFunction((n) => window.__bench.keys.length >= n && window.__bench.keys[n - 1].done, i + 1, { timeout: 60000 });
  }
  return page.evaluate(() => window.__bench.keys);
}

await run(async (results, opts) => {
  const loads = Math.max(1, Number(opts.loads ?? 5));
  const keyDelay = Number(opts.keyDelay ?? 120);
  const n = Number(opts.articles).toLocaleString('en');
  const { word, wordSlug } = opts;
  const browser = await launch();
  try {
    // Home: the one-article site first, then the large one.
    const baseRuns = await homes(browser, opts.baselineBase, '', '', loads, '1 article');
    await baseRuns[baseRuns.length - 1].context.close();
    const runs = await homes(browser, opts.base, wordSlug, word, loads, `${n} articles`);
    const baseFirst = median(baseRuns.map((r) => r.firstStory));
    const first = median(runs.map((r) => r.firstStory));
    results.figure(
      `Home first story in the DOM (median of ${loads} cold loads)`,
      `${fixed(first, 0)} ms; 1-article site ${fixed(baseFirst, 0)} ms (${fixed(first / baseFirst, 2)}x)`,
      `≤ ${HOME_RATIO}x the 1-article site`,
      first <= HOME_RATIO * baseFirst,
      `${fixed(first - HOME_RATIO * baseFirst, 0)} ms (${fixed(first / baseFirst, 2)}x)`,
    );
    const longest = median(runs.map((r) => r.longest));
    const last = runs[runs.length - 1];
    results.figure(
      'Start-up: wasm downloaded / wasm started / longest task (median)',
      `${fixed(median(runs.map((r) => r.wasmEnd)), 0)} ms / ${fixed(median(runs.map((r) => r.started)), 0)} ms / ${fixed(longest, 0)} ms (loads: ${runs.map((r) => fixed(r.longest, 0)).join(', ')}; wasm ${mb(last.wasmBytes ?? 0)} decoded); 1-article site: wasm started ${fixed(median(baseRuns.map((r) => r.started)), 0)} ms, longest task ${fixed(median(baseRuns.map((r) => r.longest)), 0)} ms`,
      `longest task ≤ ${STARTUP_TASK_MS} ms`,
      longest <= STARTUP_TASK_MS,
      `${fixed(longest - STARTUP_TASK_MS, 0)} ms`,
    );
    results.note('a long task is one over 50 ms (PerformanceObserver "longtask"), so a longest task of 0 ms means none');
    const loaded = await Promise.all(last.responses);
    results.figure(
      'Data files home loads (site info, first listing page)',
      `${loaded.length} files, ${kb(loaded.reduce((s, r) => s + r.bytes, 0))} (${kb(loaded.reduce((s, r) => s + r.br, 0))} brotli)`,
    );
    const page = last.page;
    const onHome = await memory(page);
    results.figure('DOM size on home (elements / all nodes)', `${onHome.elements} / ${onHome.nodes}`);

    // Search on a cold cache: nothing of the index has been fetched by this context yet
    // (files of data/VERSION/search/ fetched before typing would count too).
    const already = last.responses.length;
    const box = page.getByRole('searchbox', { name: 'Search articles' });
    await box.click();
    await page.evaluate(() => { window.__bench.keys = []; window.__bench.listed = null; });
    await page.keyboard.type(word, { delay: keyDelay });
    await page.waitForFunction(() => window.__bench.listed !== null, null, { timeout: 60000 });
    // Let the last keystroke's fetches (documents, highlights) finish before counting.
    await page.waitForFunction(() => window.__bench.keys.every((k) => k.done), null, { timeout: 60000 });
    await page.waitForLoadState('networkidle');
    const cold = await page.evaluate(() => ({ keys: window.__bench.keys, listed: window.__bench.listed }));
    const lastKey = cold.keys[cold.keys.length - 1];
    const listedAfter = cold.listed - lastKey.t0;
    const fetched = (await Promise.all(last.responses)).filter((r, i) => i >= already || r.url.includes('/search/'));
    const origin = new URL(opts.base).origin;
    for (const r of fetched) console.log(`    fetched for "${word}": ${r.url.replace(origin, '').padEnd(60)} ${String(r.bytes).padStart(8)} B (${r.br} B brotli)`);
    results.figure(
      `Search for a word in one story only ("${word}", typed ${keyDelay} ms a key on a cold cache): listed after the last keystroke`,
      `${fixed(listedAfter, 0)} ms`,
      `≤ ${LISTED_MS} ms`,
      listedAfter <= LISTED_MS,
      `${fixed(listedAfter - LISTED_MS, 0)} ms`,
    );
    const bytes = fetched.reduce((s, r) => s + r.bytes, 0);
    results.figure(
      'Search: data fetched for that word (as served, uncompressed)',
      `${kb(bytes)} in ${fetched.length} files (${kb(fetched.reduce((s, r) => s + r.br, 0))} brotli)`,
      `≤ ${SEARCH_BYTES / 1024} KB`,
      bytes <= SEARCH_BYTES,
      `${kb(bytes - SEARCH_BYTES)}`,
    );

    // The same word again, its pieces now cached: each keystroke answered within a frame.
    await box.fill('');
    await page.waitForFunction(() => !document.querySelector('ul[aria-label="Search results"] li'), null, { timeout: 60000 });
    const keys = await typeSettled(page, word);
    const answered = keys.map((k) => (k.lastMutation ?? k.idle) - k.t0);
    const frames = keys.map((k) => (k.frame ?? NaN) - k.t0);
    keys.forEach((k, i) => console.log(`    cached "${k.value}": answered ${fixed(answered[i])} ms, next frame ${fixed(frames[i])} ms — ${k.status}`));
    const worst = Math.max(...answered);
    results.figure(
      'Search, the same word again once cached: input to results in the DOM per keystroke (median / max)',
      `${fixed(median(answered))} ms / ${fixed(worst)} ms; input to the next frame ${fixed(median(frames))} ms / ${fixed(Math.max(...frames))} ms`,
      `every keystroke ≤ ${KEYSTROKE_MS} ms`,
      worst <= KEYSTROKE_MS,
      `${answered.filter((a) => a > KEYSTROKE_MS).length} of ${answered.length} keystrokes over, the slowest by ${fixed(worst - KEYSTROKE_MS, 1)} ms`,
    );

    const after = await memory(page);
    const total = after.heap + (after.wasm ?? 0);
    results.figure(
      'Memory on home after the search (JS heap + wasm linear memory)',
      `${mb(total)} (${mb(after.heap)} + ${after.wasm === null ? 'n/a' : mb(after.wasm)}; ${after.elements} elements)`,
      `≤ ${MEMORY_BYTES / 1048576} MB`,
      after.wasm !== null && total <= MEMORY_BYTES,
      after.wasm === null ? 'unknown: no wasm memory seen' : mb(total - MEMORY_BYTES),
    );
    await last.context.close();

    // First-load transfer of the same article link on both sites (part 2's method).
    const one = await firstLoad(browser, new URL(opts.articlePath, opts.baselineBase).href);
    const big = await firstLoad(browser, new URL(opts.articlePath, opts.base).href);
    console.log(`  ${opts.articlePath} on the ${n}-article site:`);
    big.pageRows.forEach((r) => show(origin, r));
    results.figure(
      `First-load transfer of an article link (brotli q11), ${n} articles against 1`,
      `${kb(big.br)} (${big.pageRows.length} files) against ${kb(one.br)} (${one.pageRows.length} files): ${fixed((big.br / one.br - 1) * 100, 1)}%`,
      `within ${fixed((TRANSFER_RATIO - 1) * 100, 0)}% of the 1-article site`,
      big.br <= TRANSFER_RATIO * one.br,
      `${kb(big.br - TRANSFER_RATIO * one.br)}`,
    );
  } finally {
    await browser.close();
  }
});
