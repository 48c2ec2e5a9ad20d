// Shared set-up for the benchmark scripts: Debian's Chromium via playwright-core, the options
// `cargo xtask bench` passes, statistics and the result file each script writes.
import { chromium } from 'playwright-core';
import { writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';

// The browser xtask found (CHROMIUM or PATH, see xtask/src/tools.rs); no fixed path.
export const CHROMIUM = process.env.CHROMIUM;
if (!CHROMIUM) throw new Error('CHROMIUM is not set: run the benchmarks through `cargo xtask bench`, or set CHROMIUM to a Chromium binary');

/// The flags every benchmark browser runs with (as in tests/e2e/helpers.mjs).
export const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-dev-shm-usage',
];

/// Headless Chromium; `extra` flags are added to [`ARGS`].
export async function launch(extra = []) {
  return chromium.launch({ executablePath: CHROMIUM, args: [...ARGS, ...extra], headless: true });
}

/// `--name value` options from the command line, as an object (`{ name: 'value' }`).
export function options(defaults = {}) {
  const out = { ...defaults };
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i].startsWith('--')) {
      out[argv[i].slice(2)] = argv[i + 1];
      i += 1;
    }
  }
  return out;
}

/// The middle value (mean of the two middle ones for an even count).
export function median(values) {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/// `x` with `digits` decimals, as text.
export function fixed(x, digits = 1) {
  return Number.isFinite(x) ? x.toFixed(digits) : String(x);
}

/// Collects figures, prints each as one line, and writes them all to `--out` at the end.
///
/// A figure is `{ label, value, budget?, met?, by? }`: `met` is true/false against the budget,
/// or absent for a figure without one; `by` says by how much a budget is missed.
export class Results {
  constructor(out) {
    this.out = out;
    this.figures = [];
    this.notes = [];
  }

  /// Records and prints a figure; `by` says by how much a missed budget is missed.
  figure(label, value, budget = undefined, met = undefined, by = undefined) {
    const f = { label, value: String(value) };
    if (budget !== undefined) f.budget = budget;
    if (met !== undefined) f.met = Boolean(met);
    if (met === false && by !== undefined) f.by = by;
    this.figures.push(f);
    const verdict = met === undefined ? '' : met ? '  [met]' : `  [MISSED${f.by ? ` by ${f.by}` : ''}]`;
    console.log(`${label}: ${value}${budget ? `  (budget ${budget})` : ''}${verdict}`);
  }

  note(text) {
    this.notes.push(text);
    console.log(`note: ${text}`);
  }

  write() {
    if (!this.out) return;
    mkdirSync(dirname(this.out), { recursive: true });
    writeFileSync(this.out, JSON.stringify({ figures: this.figures, notes: this.notes }, null, 2));
  }
}

/// Runs `main(results, opts)` with the command-line options (and those of the JSON file named
/// by `--config`), always writes what was collected, and exits non-zero on an error.
export async function run(main) {
  let opts = options();
  if (opts.config) opts = { ...JSON.parse(readFileSync(opts.config, 'utf8')), ...opts };
  const results = new Results(opts.out);
  try {
    await main(results, opts);
    results.write();
  } catch (e) {
    results.note(`error: ${e.stack ?? e}`);
    results.write();
    console.error(e);
    process.exit(1);
  }
}
