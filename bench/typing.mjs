// Types a 2,000-character comment key by key into "Your comment" and toggles reactions 50
// times on the release build, recording long tasks and every localStorage write the app makes.
//
// Options (or a `--config` JSON file): --articleUrl URL, --keyDelay MS (default 15),
// --chars N (default 2000), --toggles N (default 50), --out FILE.
import { launch, run, fixed } from './lib.mjs';

const LONG_TASK_BUDGET_MS = 50;
const WRITES_PER_SECOND_BUDGET = 2;

/// Runs before the page's scripts: timestamps every write of a `broadsheet:` key and every
/// long task.
function probe() {
  window.__bench = { writes: [], longTasks: [] };
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function benchSetItem(key, value) {
    if (String(key).startsWith('broadsheet:')) {
      window.__bench.writes.push({ at: performance.now(), key: String(key), bytes: String(value).length });
    }
    return setItem.call(this, key, value);
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longTasks.push({ at: e.startTime, ms: e.duration });
  }).observe({ type: 'longtask', buffered: true });
}

/// Deterministic comment text of `n` characters: words, commas and full stops.
function comment(n) {
  const words = ('the council said harbour plans would change how readers in the old town ' +
    'see their streets and I think this is a fair point but the cost matters too so we should ' +
    'ask who pays for it first').split(' ');
  let out = '';
  let i = 0;
  let seed = 7;
  while (out.length < n) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    const w = words[seed % words.length];
    out += (out.length === 0 || out.endsWith('. ') ? w[0].toUpperCase() + w.slice(1) : w);
    i += 1;
    out += i % 17 === 0 ? '. ' : i % 7 === 0 ? ', ' : ' ';
  }
  return out.slice(0, n);
}

/// Most writes in any one-second window.
function maxPerSecond(times) {
  let best = 0;
  let from = 0;
  for (let to = 0; to < times.length; to += 1) {
    while (times[to] - times[from] >= 1000) from += 1;
    best = Math.max(best, to - from + 1);
  }
  return best;
}

function tasksIn(tasks, [from, to]) {
  return tasks.filter((t) => t.at >= from && t.at <= to);
}

await run(async (results, opts) => {
  const chars = Number(opts.chars ?? 2000);
  const toggles = Number(opts.toggles ?? 50);
  const keyDelay = Number(opts.keyDelay ?? 15);
  const browser = await launch();
  try {
    const context = await browser.newContext();
    await context.addInitScript(probe);
    const page = await context.newPage();
    await page.goto(opts.articleUrl, { waitUntil: 'load' });
    const box = page.getByRole('textbox', { name: 'Your comment' });
    await box.waitFor();
    await page.waitForTimeout(1000);
    const now = () => page.evaluate(() => performance.now());

    const text = comment(chars);
    await box.click();
    const typingFrom = await now();
    await box.pressSequentially(text, { delay: keyDelay, timeout: 0 });
    const typingTo = await now();
    // The last debounced draft write lands after the last key.
    await page.waitForTimeout(1500);
    const typedOk = (await box.inputValue()) === text;

    const buttons = page.getByRole('group', { name: 'Reactions' }).getByRole('button');
    const count = await buttons.count();
    const togglesFrom = await now();
    for (let i = 0; i < toggles; i += 1) {
      await buttons.nth(i % count).click();
      await page.waitForTimeout(40);
    }
    const togglesTo = await now();
    await page.waitForTimeout(1000);
    const { writes, longTasks } = await page.evaluate(() => window.__bench);
    await context.close();

    const typingSeconds = (typingTo - typingFrom) / 1000;
    console.log(`  typed ${chars} characters in ${fixed(typingSeconds)} s (${fixed(chars / typingSeconds, 0)} keys/s)${typedOk ? '' : ' — the box does not hold the typed text!'}; ${toggles} toggles over ${count} reaction buttons`);
    const draftWrites = writes.filter((w) => w.at >= typingFrom && w.at <= typingTo + 1500);
    const typingTasks = tasksIn(longTasks, [typingFrom, typingTo + 1500]);
    const toggleTasks = tasksIn(longTasks, [togglesFrom, togglesTo + 1000]);
    const loadTasks = tasksIn(longTasks, [0, typingFrom]);
    const longest = (tasks) => (tasks.length ? Math.max(...tasks.map((t) => t.ms)) : 0);
    const during = [...typingTasks, ...toggleTasks];
    results.figure(
      'Longest task while typing 2,000 characters / toggling reactions 50 times',
      `${fixed(longest(typingTasks), 0)} ms / ${fixed(longest(toggleTasks), 0)} ms (${during.length} long tasks in all)`,
      `no task > ${LONG_TASK_BUDGET_MS} ms`,
      during.every((t) => t.ms <= LONG_TASK_BUDGET_MS) && typedOk,
      typedOk
        ? `${during.filter((t) => t.ms > LONG_TASK_BUDGET_MS).length} tasks over, the longest by ${fixed(longest(during) - LONG_TASK_BUDGET_MS, 0)} ms`
        : 'the comment box did not hold the typed text',
    );
    const perSecond = maxPerSecond(draftWrites.map((w) => w.at));
    results.figure(
      'localStorage writes while typing (most in any 1 s / total)',
      `${perSecond} / ${draftWrites.length} in ${fixed(typingSeconds)} s (${fixed(draftWrites.length / typingSeconds, 2)}/s on average)`,
      `≤ ${WRITES_PER_SECOND_BUDGET} per second`,
      perSecond <= WRITES_PER_SECOND_BUDGET,
      `${perSecond - WRITES_PER_SECOND_BUDGET} writes per second`,
    );
    const toggleWrites = writes.filter((w) => w.at >= togglesFrom && w.at <= togglesTo + 1000);
    results.figure('localStorage writes for 50 reaction toggles', `${toggleWrites.length}`);
    if (during.length) {
      results.note(`long tasks while typing or toggling: ${during.map((t) => `${fixed(t.ms, 0)} ms at ${fixed(t.at / 1000, 1)} s`).join(', ')}`);
    }
    if (loadTasks.length) {
      results.note(`long tasks while the page loaded (not budgeted): ${loadTasks.map((t) => `${fixed(t.ms, 0)} ms`).join(', ')}`);
    }
  } finally {
    await browser.close();
  }
});
