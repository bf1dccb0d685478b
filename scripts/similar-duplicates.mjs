// Does `bugcat similar` find the original of a report that names it as a duplicate? The QEMU
// corpus's reports (qemu-reports.csv texts, qemu-gitlab-issues.json descriptions) sometimes say
// "duplicate of #N", "duplicate of https://bugs.launchpad.net/.../+bug/N", "duplicate from: <urls>";
// each such mention (not a "not a duplicate of") is a pair (report, original). A model is
// trained with --keep-index on every labelled report of qemu-reports.csv (the index must hold
// the originals; the task is finding, not classifying), then each report that names an
// original is searched, itself left out, and we count how often the original is first, and in
// the top 5. Also: the index's size beside the model's, the load time with and without it
// (the same model, with and without the index), the first search (which decodes the index)
// and a search's time.
//
//   node scripts/similar-duplicates.mjs [--terms 128,0] [--loads 7]     (SHARED_DATA=DIR: the corpus elsewhere)
//
// The corpus stays in ../shared/data; models go to a temporary folder, removed at the end.
import { mkdtempSync, readFileSync, rmSync, statSync, readdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { load, readReports, train } from 'bugcat';
import { SHARED_DATA } from './qemu-split.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const termsList = opt('--terms', '128,0').split(',').map(Number);
const loads = Number(opt('--loads', '7'));
// ../shared/data beside the checkout, or where SHARED_DATA says (a worktree elsewhere).
const data = (f) => join(process.env.SHARED_DATA ?? SHARED_DATA, f);

// Every report's text by id: the CSV's, and the GitLab export's issues the CSV lacks.
const csv = readReports(data('qemu-reports.csv'), { labelColumn: 'label' });
const texts = new Map(csv.ids.map((id, i) => [id, csv.texts[i]]));
const all = readReports(data('qemu-reports.csv'), { labelColumn: 'label', excludeLabels: [] });
for (const [i, id] of all.ids.entries()) if (!texts.has(id)) texts.set(id, all.texts[i]);
const issues = JSON.parse(readFileSync(data('qemu-gitlab-issues.json'), 'utf8'));
for (const issue of issues) {
  const id = String(issue.iid);
  if (!texts.has(id)) texts.set(id, `${issue.title}\n${issue.description ?? ''}`);
}

// The named pairs: a "duplicate of/from" and the numbers of the bugs or issues after it.
const MENTION = /(not\W+(?:a\s+)?)?duplicate\s+(?:of|from)\b(:\s*\n(?:[^\n]*\n){0,3}|[^\n]{0,160})/gi;
const NUMBER = /(?:#\s*|\+bug\/|bugs\/|\/issues\/|\bbug\s+|\b)(\d{3,7})\b/g;
const pairs = [];
const seen = new Set();
for (const [id, text] of texts) {
  for (const m of text.matchAll(MENTION)) {
    if (m[1]) continue; // "not a duplicate of"
    // The list of URLs on the lines below ("duplicate from:"), or the rest of the sentence.
    const tail = m[2].startsWith(':') ? m[2].split(/\n\s*\n/)[0] : m[2].split(/[.;]\s|,\s/)[0];
    for (const n of tail.matchAll(NUMBER)) {
      const original = n[1];
      if (original === id || seen.has(`${id}>${original}`)) continue;
      seen.add(`${id}>${original}`);
      pairs.push({ id, original });
    }
  }
}

// A report's copies: the reports of the same title (first line, case and white space aside).
const titleOf = (text) => text.split('\n')[0].trim().toLowerCase().replace(/\s+/g, ' ');
const copiesOf = new Map();
for (const [id, text] of texts) copiesOf.set(titleOf(text), [...(copiesOf.get(titleOf(text)) ?? []), id]);

const reports = readReports(data('qemu-reports.csv'), { labelColumn: 'label' });
const indexed = new Set(reports.ids);
const tmp = mkdtempSync(join(tmpdir(), 'bugcat-similar-'));
const size = (dir) => readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
console.log(
  `processor: ${cpus()[0]?.model} x${cpus().length}; load average at the start ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
console.log(`${pairs.length} named pairs (report -> original) in qemu-reports.csv and qemu-gitlab-issues.json:`);
for (const p of pairs)
  console.log(
    `  ${p.id} -> ${p.original}${indexed.has(p.original) ? '' : ' (original not among the labelled training reports: not indexed)'}`,
  );
try {
  let without;
  for (const terms of termsList) {
    const started = performance.now();
    const model = await train(reports, { keepIndex: { terms }, onProgress: () => {} });
    const trainS = (performance.now() - started) / 1000;
    const dir = join(tmp, `terms-${terms}`);
    await model.save(dir);
    if (!without) {
      // The same model without its index: the weights are the same (the same seed and data).
      without = join(tmp, 'no-index');
      await (await train(reports, { onProgress: () => {} })).save(without);
    }
    const indexBytes = statSync(join(dir, 'similar.bin')).size;
    // Loads, alternated with and without the index.
    const withT = [];
    const withoutT = [];
    for (let i = 0; i < loads; i++) {
      let t = performance.now();
      await load(without);
      withoutT.push(performance.now() - t);
      t = performance.now();
      await load(dir);
      withT.push(performance.now() - t);
    }
    const loaded = await load(dir);
    let t = performance.now();
    loaded.similar('first search', { top: 1 });
    const firstMs = performance.now() - t;
    const ranks = [];
    t = performance.now();
    for (const p of pairs) {
      if (!indexed.has(p.original)) continue;
      const found = loaded.similar(texts.get(p.id), { top: 50, exclude: [p.id] });
      const rank = found.findIndex((s) => s.id === p.original) + 1;
      // The query's own copies (a Launchpad report and the GitLab stub its migration left share
      // the title) left out too, the original never: they name the same original, so they rank first.
      const copies = copiesOf.get(titleOf(texts.get(p.id))).filter((id) => id !== p.id && id !== p.original);
      const aside = loaded.similar(texts.get(p.id), { top: 50, exclude: [p.id, ...copies] });
      const rankAside = aside.findIndex((s) => s.id === p.original) + 1;
      ranks.push({ ...p, rank, rankAside, copies, top: found.slice(0, 3).map((s) => `${s.id} ${s.similarity.toFixed(3)}`) });
    }
    const searchMs = (performance.now() - t) / Math.max(1, 2 * ranks.length);
    // A search beside a prediction of the same report (one report a call, alternated, 200 reports
    // of the corpus): a ratio, which the machine's other load moves less than a time.
    const sample = reports.texts.filter((_, i) => i % Math.ceil(reports.texts.length / 200) === 0);
    const searchT = [];
    const predictT = [];
    for (const text of sample) {
      let u = performance.now();
      loaded.similar(text, { top: 5 });
      searchT.push(performance.now() - u);
      u = performance.now();
      loaded.predict([text], { top: 1 });
      predictT.push(performance.now() - u);
    }
    const at = (k, key = 'rank') => ranks.filter((r) => r[key] >= 1 && r[key] <= k).length;
    console.log(`\n== index of ${terms > 0 ? `${terms} terms a report` : 'every term'} (trained in ${trainS.toFixed(1)} s) ==`);
    console.log(
      `similar.bin ${(indexBytes / 1e6).toFixed(2)} MB beside a model of ${((size(dir) - indexBytes) / 1e6).toFixed(2)} MB (+${((100 * indexBytes) / (size(dir) - indexBytes)).toFixed(0)} %)`,
    );
    console.log(
      `load (median of ${loads}, alternated): ${median(withT).toFixed(0)} ms with the index, ${median(withoutT).toFixed(0)} ms without (x${(median(withT) / median(withoutT)).toFixed(2)}); first search (decodes the index) ${firstMs.toFixed(0)} ms; a search ${searchMs.toFixed(1)} ms; ${sample.length} reports one at a time: search ${median(searchT).toFixed(2)} ms, predict ${median(predictT).toFixed(2)} ms (medians; x${(median(searchT) / median(predictT)).toFixed(2)})`,
    );
    for (const r of ranks)
      console.log(
        `  ${r.id} -> ${r.original}: rank ${r.rank || '> 50'}${r.copies.length ? `, ${r.rankAside || '> 50'} with its copies (${r.copies.join(', ')}) left out` : ''} (top 3: ${r.top.join(', ')})`,
      );
    console.log(`original first: ${at(1)} of ${ranks.length}; in the top 5: ${at(5)} of ${ranks.length}`);
    console.log(
      `the query's copies left out: first ${at(1, 'rankAside')} of ${ranks.length}; in the top 5: ${at(5, 'rankAside')} of ${ranks.length}`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
console.log(
  `load average at the end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
