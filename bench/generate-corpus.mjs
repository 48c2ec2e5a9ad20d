// Writes a deterministic corpus of synthetic articles (marked as generated: topic "Generated",
// "(generated)" in every title) for the scale benchmark; never into articles/.
//
// usage: node bench/generate-corpus.mjs OUT_DIR [COUNT [EXTRA_FILE...]]   (default 10000)
//
// EXTRA_FILEs (the repository's articles) are copied in under their own names, so the
// benchmark can open the same article link on the one-article site and the large one.
// One old story (the second oldest) gets a word no other generated story has, PLANTED, so
// search can be timed on a word that occurs in one story only; the last line printed names it
// and the story's slug (`planted: WORD in SLUG`).
//
// Files whose text is unchanged are left alone, and stale ones removed, so a repeated run
// rewrites nothing and the site build can reuse its pages.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const [outArg, countArg, ...extras] = process.argv.slice(2);
if (!outArg) {
  console.error('usage: node bench/generate-corpus.mjs OUT_DIR [COUNT [EXTRA_FILE...]]');
  process.exit(2);
}
const out = resolve(outArg);
const count = Number(countArg ?? 10000);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
if (out === join(ROOT, 'articles') || !out.startsWith(join(ROOT, 'target'))) {
  console.error(`refusing to write generated articles into ${out}: only under target/`);
  process.exit(2);
}

const WORDS = (
  'harbour council ferry market school budget river bridge station library museum festival ' +
  'weather storm flood drought harvest farmers fishing port trade tariff election minister ' +
  'mayor residents committee report inquiry court ruling appeal housing rent transport bus ' +
  'tram cycle lanes hospital clinic nurses doctors research university students teachers ' +
  'science climate energy solar wind grid power prices inflation wages jobs factory ' +
  'workers union strike talks agreement plan proposal review vote support opposition ' +
  'district county region coast valley mountain island village city town streets park ' +
  'garden water supply roads repairs funding grant project community volunteers police ' +
  'safety fire service emergency visitors tourism hotel summer winter spring autumn ' +
  'morning evening week month year record growth decline change delay opening closure'
).split(' ');
const GLUE = 'the a of in on for and with after before over under near about from to'.split(' ');
const VERBS = 'said announced warned agreed rejected approved delayed opened closed reported expects plans'.split(' ');
// No generated word starts with "q" (see WORDS, GLUE, VERBS, TOPICS), so no prefix of this
// one matches any other generated story either.
const PLANTED = 'quillwort';
const TOPICS = ['Local', 'Transport', 'Weather', 'Business', 'Science', 'Politics', 'Culture', 'Sport'];

/// mulberry32: a small deterministic pseudo-random generator.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/// Article `i` of `count`; the second oldest carries PLANTED in its second paragraph.
function generate(i, count) {
  const random = rng(0x5eed + i * 7919);
  const int = (n) => Math.floor(random() * n);
  const pick = (list) => list[int(list.length)];
  const cap = (w) => w[0].toUpperCase() + w.slice(1);
  const sentence = (min, spread) => {
    const n = min + int(spread);
    const words = [];
    for (let w = 0; w < n; w += 1) {
      if (w === 2) words.push(pick(VERBS));
      else words.push(random() < 0.3 ? pick(GLUE) : pick(WORDS));
    }
    words[0] = cap(words[0]);
    return `${words.join(' ')}${random() < 0.1 ? ', officials said' : ''}.`;
  };
  const titleWords = Array.from({ length: 4 + int(5) }, () => pick(WORDS));
  titleWords[0] = cap(titleWords[0]);
  const title = `${titleWords.join(' ')} (generated)`;
  // Newest first in the app: article 0 is the newest, one every 53 minutes before it.
  const when = new Date(Date.UTC(2026, 0, 1) - i * 53 * 60 * 1000).toISOString().replace('.000Z', 'Z');
  const lines = [
    '---',
    `title: ${title}`,
    `slug: ${slugOf(i)}`,
    `published: ${when}`,
    'topic: Generated',
    'author: Benchmark generator',
    `summary: ${sentence(10, 10)}`,
    '---',
  ];
  const paragraphs = 4 + int(6);
  for (let p = 0; p < paragraphs; p += 1) {
    const text = Array.from({ length: 2 + int(4) }, () => sentence(8, 13)).join(' ');
    lines.push(p === 1 && i === plantedIn(count) ? `${text} The ${PLANTED} was found there.` : text);
  }
  if (random() < 0.4) {
    lines.push('Read next');
    const entries = 1 + int(4);
    for (let e = 0; e < entries; e += 1) {
      lines.push(`${String(int(24)).padStart(2, '0')}:${String(int(60)).padStart(2, '0')}`);
      lines.push(pick(TOPICS));
      lines.push(`${sentence(10, 12)} ${sentence(6, 8)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/// The article that carries PLANTED: an old one, as a reader searching the archive would want.
function plantedIn(count) {
  return Math.max(0, count - 2);
}

/// Numbers in slugs and file names: five digits, more past 99,999 articles.
const WIDTH = Math.max(5, String(count - 1).length);
const slugOf = (i) => `generated-${String(i).padStart(WIDTH, '0')}`;

mkdirSync(out, { recursive: true });
const wanted = new Set();
let written = 0;
let bytes = 0;
const put = (name, text) => {
  wanted.add(name);
  bytes += Buffer.byteLength(text);
  const path = join(out, name);
  if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
    writeFileSync(path, text);
    written += 1;
  }
};
for (let i = 0; i < count; i += 1) {
  put(`gen_${String(i).padStart(WIDTH, '0')}.txt`, generate(i, count));
}
for (const extra of extras) {
  put(basename(extra), readFileSync(extra, 'utf8'));
}
let removed = 0;
for (const name of readdirSync(out)) {
  if (name.endsWith('.txt') && !wanted.has(name)) {
    rmSync(join(out, name));
    removed += 1;
  }
}
const total = count + extras.length;
console.log(`generated corpus: ${count} articles and ${extras.length} copied, ${(bytes / 1e6).toFixed(1)} MB in ${relative(ROOT, out)} (${written} written, ${removed} removed, ${total - written} unchanged)`);
console.log(`planted: ${PLANTED} in ${slugOf(plantedIn(count))}`);
