// The measurement behind the pretraining's choice (README, "Learning from unlabelled reports"): term vectors by LSA
// (bugcat's pretrain) against fastText's skip-gram word vectors (the fasttext binary: apt-get install -y fasttext)
// as the input layer's start, on the same corpus (the QEMU texts of folds 1-4 and the GitHub issues, unlabelled), the
// same terms and the same document frequencies, with 300 labelled reports of the 17 categories and of the mode taxonomy.
//   node scripts/pretrain-compare.mjs   (writes its files to /tmp/bugcat-pretrain-compare)
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { evaluate, pretrain, train } from 'bugcat';
import { loadCorpus, splitsOf, taskRows } from './tasks.mjs';
mkdirSync('/tmp/bugcat-pretrain-compare', { recursive: true });
const c = loadCorpus();
const pool = [...c.reports.map((r) => r.text), ...c.github.map((r) => r.text)];
const WORD = /[\p{L}\p{N}_]{2,}/gu;
writeFileSync(
  '/tmp/bugcat-pretrain-compare/sg-corpus.txt',
  pool.map((t) => (t.slice(0, 20000).toLowerCase().match(WORD) ?? []).join(' ')).join('\n') + '\n',
);
let t0 = performance.now();
execFileSync('fasttext', [
  'skipgram',
  '-input',
  '/tmp/bugcat-pretrain-compare/sg-corpus.txt',
  '-output',
  '/tmp/bugcat-pretrain-compare/sg',
  '-dim',
  '64',
  '-epoch',
  '5',
  '-minCount',
  '2',
  '-thread',
  '2',
  '-minn',
  '0',
  '-maxn',
  '0',
  '-verbose',
  '0',
]);
const sgSeconds = (performance.now() - t0) / 1000;
t0 = performance.now();
const lsa = await pretrain(pool, {});
const lsaSeconds = (performance.now() - t0) / 1000;
console.log(`skipgram ${sgSeconds.toFixed(0)} s (fastText, 2 threads), lsa ${lsaSeconds.toFixed(0)} s`);
const sg = new Map();
for (const line of readFileSync('/tmp/bugcat-pretrain-compare/sg.vec', 'utf8').split('\n').slice(1)) {
  const p = line.trim().split(' ');
  if (p.length === 65) sg.set(p[0], Float32Array.from(p.slice(1), Number));
}
const keep = lsa.terms
  .map((t, i) => [t, i])
  .filter(([t]) => !t.startsWith('c:') && !t.includes(' ') && sg.has(t.startsWith('t:') ? t.slice(2) : t));
const pick = (src) => {
  const vectors = new Float32Array(keep.length * 64);
  keep.forEach(([t, i], k) => vectors.set(src(t, i), k * 64));
  return { ...lsa, terms: keep.map(([t]) => t), df: Int32Array.from(keep, ([, i]) => lsa.df[i]), vectors };
};
// (When this was measured, pretrain kept every term's vector, character n-grams too: that is the 'lsa' row of the README;
// pretrain now keeps the words' only, what 'lsaWords' measured.)
const variants = {
  none: undefined,
  lsa,
  lsaWords: pick((t, i) => lsa.vectors.subarray(i * 64, (i + 1) * 64)),
  sgWords: pick((t) => sg.get(t.startsWith('t:') ? t.slice(2) : t)),
};
console.log(`terms: lsa ${lsa.terms.length}, words with both ${keep.length}`);
for (const task of ['cat17', 'mode']) {
  const rows = taskRows(c, task);
  for (const s of splitsOf(c, rows, { size: 300, draws: 1 })) {
    const part = (idx) => ({ ids: idx.map((i) => rows[i].id), texts: idx.map((i) => rows[i].text), labels: idx.map((i) => rows[i].label) });
    const out = { task, split: s.name };
    for (const [name, v] of Object.entries(variants)) {
      const m = await train(part(s.train), { hyperparameters: { calibrationFolds: 0 }, threads: 1, ...(v ? { pretrained: v } : {}) });
      out[name] = evaluate(m, part(s.test)).accuracy;
    }
    console.log(JSON.stringify(out));
    appendFileSync('/tmp/bugcat-pretrain-compare/sg.jsonl', JSON.stringify(out) + '\n');
  }
}
