// Shared set-up for the Firefox tests: the Firefox named by FIREFOX driven through the
// geckodriver named by GECKODRIVER (`cargo xtask e2e` finds both and sets them) by
// selenium-webdriver, over classic WebDriver plus WebDriver BiDi (for error and request logs,
// a recorder installed before each page's own scripts, and lookups by role and accessible name).
import webdriver from 'selenium-webdriver';
import firefox from 'selenium-webdriver/firefox.js';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';

const { Builder, By, WebElement } = webdriver;

export const BASE = process.env.BASE_URL ?? 'http://127.0.0.1:8080/reader/';
export const ORIGIN = new URL(BASE).origin;

/// The program named by the environment variable `name`, which must be set (no place on disk
/// is assumed: `cargo xtask e2e` finds the program and sets it).
export function programFromEnv(name, what) {
  const path = process.env[name];
  if (!path) throw new Error(`${name} is not set: set it to the path of ${what} (cargo xtask e2e sets it)`);
  if (path.includes('/') && !existsSync(path)) throw new Error(`${name} is set to ${path}, which does not exist`);
  return path;
}
/// How long a lookup waits for its element before the test fails.
const WAIT_MS = 15_000;

// Never let selenium-webdriver fetch a driver or browser of its own (none can be had here).
process.env.SE_OFFLINE = 'true';

/// Runs in every document before its own scripts: records uncaught errors, unhandled
/// rejections and Content-Security-Policy violations in `window.__problems`, so the test can
/// read them after the fact even when the BiDi log has no entry for them.
const RECORDER = `() => {
  const problems = [];
  Object.defineProperty(window, '__problems', { value: problems });
  window.addEventListener('error', (e) => {
    problems.push('uncaught error: ' + (e.message || String(e.error)) + ' (' + (e.filename || 'document') + ':' + e.lineno + ')');
  });
  window.addEventListener('unhandledrejection', (e) => {
    problems.push('unhandled rejection: ' + String(e.reason && (e.reason.stack || e.reason)));
  });
  document.addEventListener('securitypolicyviolation', (e) => {
    problems.push('securitypolicyviolation: ' + e.effectiveDirective + ' blocked ' + (e.blockedURI || 'inline') + ' (' + (e.sourceFile || 'document') + ':' + e.lineNumber + ')');
  }, true);
}`;

/// Starts Firefox ESR headless with a fresh profile (selenium-webdriver writes a new temporary
/// one for every session) and starts recording problems in `driver.problems`: uncaught page
/// errors and console errors from the BiDi log, and any request that leaves the origin.
/// `prefs` are further preferences of the profile.
export async function openFirefox({ prefs = {} } = {}) {
  const options = new firefox.Options()
    .setBinary(programFromEnv('FIREFOX', 'Firefox'))
    .addArguments('-headless')
    .windowSize({ width: 1280, height: 900 })
    // Keep the browser itself quiet: no update checks, telemetry or remote settings.
    .setPreference('app.update.enabled', false)
    .setPreference('datareporting.policy.dataSubmissionEnabled', false)
    .setPreference('toolkit.telemetry.enabled', false)
    .setPreference('browser.safebrowsing.update.enabled', false)
    .setPreference('network.captive-portal-service.enabled', false)
    .setPreference('network.connectivity-service.enabled', false)
    .enableBidi();
  for (const [name, value] of Object.entries(prefs)) options.setPreference(name, value);
  const service = new firefox.ServiceBuilder(programFromEnv('GECKODRIVER', 'geckodriver'));
  const driver = await new Builder()
    .forBrowser('firefox')
    .setFirefoxOptions(options)
    .setFirefoxService(service)
    .build();
  driver.problems = [];
  try {
    const bidi = await driver.getBidi();
    (await bidi.socket).on('message', (raw) => record(driver, JSON.parse(raw.toString())));
    await bidi.subscribe(['log.entryAdded', 'network.beforeRequestSent']);
    const added = await bidi.send({ method: 'script.addPreloadScript', params: { functionDeclaration: RECORDER } });
    assert.equal(added.type, 'success', `script.addPreloadScript: ${JSON.stringify(added)}`);
  } catch (e) {
    await driver.quit();
    throw e;
  }
  return driver;
}

/// Files one BiDi event in `driver.problems` when it is a problem.
function record(driver, message) {
  const { method, params } = message;
  if (method === 'log.entryAdded' && params.level === 'error') {
    const where = params.stackTrace?.callFrames?.[0];
    const at = where ? ` (${where.url}:${where.lineNumber + 1})` : '';
    if (params.type === 'javascript') driver.problems.push(`page error: ${params.text}${at}`);
    else driver.problems.push(`console error: ${params.text ?? params.args?.map((a) => a.value).join(' ')}${at}`);
  } else if (method === 'network.beforeRequestSent') {
    const target = params.request.url;
    if (!target.startsWith(`${ORIGIN}/`) && !target.startsWith('data:') && !target.startsWith('blob:')) {
      driver.problems.push(`request left the origin: ${target}`);
    }
  }
}

/// Fails on any problem recorded so far: BiDi log errors, foreign requests, and what the
/// in-page recorder holds for the current document.
export async function assertClean(driver) {
  const inPage = await driver.executeScript('return window.__problems ? [...window.__problems] : ["in-page error recorder missing"]');
  assert.deepEqual([...driver.problems, ...inPage], []);
}

/// Closes the browser (and geckodriver with it).
export async function closeFirefox(driver) {
  await driver?.quit();
}

export function url(path = '') {
  return new URL(path, BASE).href;
}

/// Waits until the app has started and replaced the page rendered ahead of time, so a test
/// acts on the live app (a broken wasm never gets there).
export async function appReady(driver) {
  await waitFor('the app to take over the page', async () =>
    (await driver.executeScript('return document.documentElement.dataset.app')) === 'ready', 20_000)
    .catch((e) => { throw withProblems(driver, e); });
}

/// Loads `path` (relative to the base URL) and waits for the app.
export async function goto(driver, path = '') {
  await driver.get(url(path));
  await appReady(driver);
}

/// Reloads the page and waits for the app.
export async function reload(driver) {
  await driver.navigate().refresh();
  await appReady(driver);
}

/// Adds the problems recorded so far to a failure, which often explain it.
function withProblems(driver, error) {
  if (driver.problems?.length) error.message += `\nrecorded problems:\n  ${driver.problems.join('\n  ')}`;
  return error;
}

/// Polls `probe` until it returns a truthy value; fails with `what` after `timeout` ms.
export async function waitFor(what, probe, timeout = WAIT_MS) {
  const until = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) {
      throw new Error(`timed out after ${timeout} ms waiting for ${what}${last ? `: ${last.message}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/// Every element with ARIA `role` whose accessible name is `name`, as Firefox's own
/// accessibility tree computes them (the BiDi `accessibility` locator). `name` may be a
/// RegExp: then every element with the role is fetched and its computed label tested.
/// `within` limits the search to the descendants of an element.
export async function allByRole(driver, role, name, within) {
  const bidi = await driver.getBidi();
  const value = typeof name === 'string' ? { role, name } : { role };
  const params = { context: await driver.getWindowHandle(), locator: { type: 'accessibility', value } };
  if (within) params.startNodes = [{ sharedId: await within.getId() }];
  const answer = await bidi.send({ method: 'browsingContext.locateNodes', params });
  if (answer.type !== 'success') throw new Error(`locateNodes ${role}: ${JSON.stringify(answer)}`);
  const found = answer.result.nodes.map((n) => new WebElement(driver, n.sharedId));
  if (!(name instanceof RegExp)) return found;
  const matching = [];
  for (const el of found) if (name.test(await el.getAccessibleName())) matching.push(el);
  return matching;
}

/// Waits for exactly one element with `role` and accessible `name` (see `allByRole`).
export async function byRole(driver, role, name, { within, timeout } = {}) {
  return waitFor(`the ${role} named ${name}`, async () => {
    const all = await allByRole(driver, role, name, within);
    if (all.length > 1) throw new Error(`${all.length} elements match, expected one`);
    return all[0];
  }, timeout).catch((e) => { throw withProblems(driver, e); });
}

/// Waits for an element matching a CSS selector (for what has no role or name of its own).
export async function byCss(driver, selector, timeout) {
  return waitFor(`an element matching ${selector}`, async () => (await driver.findElements(By.css(selector)))[0], timeout)
    .catch((e) => { throw withProblems(driver, e); });
}

/// Waits for the page's single h1 and returns its text.
export async function heading(driver, name) {
  const h1 = await byRole(driver, 'heading', name);
  assert.equal(await h1.getTagName(), 'h1');
  return h1.getText();
}
