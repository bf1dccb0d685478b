#!/usr/bin/env node
// npm run bench:bot [-- --model DIR [--only-label GLOB]] [--single-label] [--min-precision P] [--limit N] [--json FILE] [--keep DIR]
// The labelling bot replayed against a tracker, end to end: the QEMU GitLab export's issues
// created from 2024-01-01 (../shared/data, public material, never copied), in creation order,
// sent as GitLab Issue Hook deliveries to `bugcat serve --ledger --apply --comment`, which
// writes its labels to the stand-in of GitLab's REST API the tests use
// (test/tracker-stand-in.mjs) on 127.0.0.1. After each suggestion a simulated maintainer
// removes the applied labels the issue does not finally carry and adds the missing ones (each
// a label-change delivery, as GitLab sends them), then edits the issue once more (a title
// change, which the bot classifies again). In the middle the tracker hangs on a write, the
// server is killed with SIGKILL while waiting for it, and started again on the same ledger.
//
// Printed: deliveries per second and the p50/p99 time per delivery (answered, and until its
// labels were written), labels applied and their precision against the issues' final labels,
// labels re-added after a person removed them (must be 0), deliveries lost across the kill
// (must be 0). The model: --model DIR, else a multi-label model of the tracker's labels trained
// here on the issues created before 2024-01-01 (see modelFor). Bounded: one pass over the
// issues, each wait capped.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import { labelMatcher } from 'bugcat';
import { startTracker } from '../test/tracker-stand-in.mjs';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist', 'cli', 'main.js');
const argv = process.argv.slice(2);
const arg = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
// ../shared beside the repository (or beside the folder of worktrees the repository may be checked out in).
const data =
  arg('--data') ??
  ['../../shared/data/qemu-gitlab-issues.json', '../../../shared/data/qemu-gitlab-issues.json']
    .map((p) => new URL(p, import.meta.url).pathname)
    .find((p) => existsSync(p));
if (!data) throw new Error('qemu-gitlab-issues.json not found in ../shared/data: give --data PATH');
const jsonOut = arg('--json') ?? join(root, '.bench', 'bench-bot.json');
const limit = arg('--limit') ? Number(arg('--limit')) : Infinity;
const work = arg('--keep') ?? mkdtempSync(join(tmpdir(), 'bugcat-bench-bot-'));
mkdirSync(work, { recursive: true });
const SPLIT = '2024-01-01';
const loadAtStart = loadavg();
const PROJECT = { id: 11167699, path_with_namespace: 'qemu-project/qemu' };
/** The labels that say where an issue is in its life, not what it is about (the data's README): never learned, never applied. */
const LIFECYCLE = /^(workflow::|Closed::|Stable::)|^Launchpad$/;
const say = (s) => process.stderr.write(`${s}\n`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};

const issues = JSON.parse(readFileSync(data, 'utf8')).sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
const textOf = (i) => `${i.title}\n${i.description ?? ''}`;
const before = issues.filter((i) => i.created_at < SPLIT);
const replay = issues.filter((i) => i.created_at >= SPLIT).slice(0, limit);
const topical = (labels) => labels.filter((l) => !LIFECYCLE.test(l));

/**
 * The model. Given (--model DIR): used as it is, adding only --only-label's labels (default all).
 * Else the bot's own kind (issue 27): a multi-label model of the tracker's labels as the tracker
 * keeps them, trained here (`bugcat train --keep-index` on a GitLab export: multi-label by
 * default) on the issues created before 2024-01-01, the life-cycle labels left out as
 * bench:multilabel and the anchors leave them out (EXCLUDE), the labels on 10 or more of those
 * issues learned (train's default --min-label-count), each at its own operating point. With
 * --single-label, the earlier stand-in: a single-label model of each issue's one `target: *`
 * label (`no-target` otherwise, which --only-label 'target: *' never lets it write).
 */
const EXCLUDE = 'workflow::*,Closed::*,Stable::*,Launchpad';
function modelFor() {
  const given = arg('--model');
  if (given) return { dir: given, kind: 'given', only: arg('--only-label') };
  const dir = join(work, 'model');
  if (argv.includes('--single-label')) {
    const csv = join(work, 'train.csv');
    const rows = before.map((i) => {
      const targets = i.labels.filter((l) => l.startsWith('target: '));
      return { id: i.iid, text: textOf(i), label: targets.length === 1 ? targets[0] : 'no-target' };
    });
    writeFileSync(csv, stringify(rows, { header: true, columns: ['id', 'text', 'label'] }));
    say(`training a single-label target model on ${rows.length} issues created before ${SPLIT} ...`);
    train(['--data', csv]);
    return { dir, kind: 'single-label target: * with --keep-index (trained here on issues before 2024-01-01)', only: 'target: *' };
  }
  // The export's issues before the split, as GitLab's API gives them (a temporary file, never the project's).
  const json = join(work, 'train.json');
  writeFileSync(json, JSON.stringify(before));
  say(`training a multi-label model of the tracker's labels on ${before.length} issues created before ${SPLIT} ...`);
  // --min-precision P: each label's threshold the lowest reaching out-of-fold precision P (default: its best F1).
  const minPrecision = arg('--min-precision');
  train(['--data', json, '--exclude-label', EXCLUDE, ...(minPrecision ? ['--min-precision', minPrecision] : [])]);
  const m = JSON.parse(readFileSync(join(dir, 'bugcat.json'), 'utf8'));
  const suggested = m.labels.length - (m.multiLabel?.unreachable?.length ?? 0);
  return {
    dir,
    kind: `multi-label, ${m.labels.length} of the tracker's labels (--exclude-label '${EXCLUDE}', on 10+ issues)${minPrecision ? `, --min-precision ${minPrecision} (${suggested} of them reach it)` : ', each at its best-F1 threshold'}, with --keep-index (trained here on issues before 2024-01-01)`,
    labels: m.labels,
  };
}

/** bugcat train ARGS --out WORK/model --keep-index. */
function train(args) {
  const r = spawnSync(process.execPath, [cli, 'train', ...args, '--out', join(work, 'model'), '--quiet', '--force', '--keep-index'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error('training failed');
}

const model = modelFor();
const tracker = await startTracker();
const ledger = join(work, 'ledger.jsonl');

/** Starts the server on the ledger; resolves with its URL and process. */
function startServer() {
  const child = spawn(
    process.execPath,
    [
      cli,
      'serve',
      '--port',
      '0',
      '--model',
      model.dir,
      '--workers',
      '1',
      '--ledger',
      ledger,
      '--apply',
      '--comment',
      '--gitlab-api',
      tracker.gitlabApi,
      ...(model.only ? ['--only-label', model.only] : []),
      '--scope',
      'target: *',
      '--skip-label',
      'no-bot',
      '--retry',
      '50',
      '--tracker-timeout',
      '60000',
      '--log-level',
      'warn',
    ],
    { env: { ...process.env, BUGCAT_GITLAB_API_TOKEN: tracker.gitlabToken }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /^(http:\/\/\S+)\n/.exec(out);
      if (m) resolve({ url: m[1], child, stderr: () => stderr });
    });
    child.once('exit', (code, signal) => reject(new Error(`serve exited (${code ?? signal}):\n${stderr}`)));
  });
}

let server = await startServer();
const key = (iid) => `gitlab:${PROJECT.id}#${iid}`;
/** Every delivery sent and answered 200: id -> { iid, apply }. */
const sent = new Map();
const answerMs = [];
const doneMs = [];
let deliveries = 0;
let n = 0;

/** Sends one Issue Hook delivery; returns the answer. */
async function deliver(issue, { action, labels, changes = {}, user = 'reporter', title = issue.title, hours = 0 }) {
  const id = `bench-${++n}`;
  const payload = {
    object_kind: 'issue',
    user: { username: user },
    project: PROJECT,
    object_attributes: {
      iid: issue.iid,
      action,
      title,
      description: issue.description ?? '',
      url: issue.web_url,
      created_at: issue.created_at,
      // The maintainer's changes an hour after the issue was opened, the last edit two: the ledger dates events by them.
      updated_at: new Date(Date.parse(issue.created_at) + hours * 3600_000).toISOString(),
    },
    labels: labels.map((title) => ({ title })),
    changes,
  };
  const t0 = performance.now();
  const res = await fetch(`${server.url}/v1/webhooks/gitlab`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Issue Hook', 'idempotency-key': id },
    body: JSON.stringify(payload),
  });
  const body = await res.json();
  const ms = performance.now() - t0;
  if (res.status !== 200) throw new Error(`delivery ${id}: ${res.status} ${JSON.stringify(body)}`);
  deliveries++;
  if (body.bot?.delivery) sent.set(id, { iid: issue.iid, apply: body.bot.apply ?? [] });
  return { body, ms, t0 };
}

/** Waits (at most 60 s) until the stand-in carries `labels` on the issue. */
async function written(iid, labels) {
  const end = Date.now() + 60_000;
  while (!labels.every((l) => tracker.labels(key(iid)).includes(l))) {
    if (Date.now() > end) throw new Error(`issue ${iid}: ${labels.join(', ')} not written within 60 s`);
    await sleep(2);
  }
}

/** A classified delivery, timed until the bot's labels are on the issue. */
async function classified(issue, o) {
  const r = await deliver(issue, o);
  answerMs.push(r.ms);
  await written(issue.iid, r.body.bot?.apply ?? []);
  doneMs.push(performance.now() - r.t0);
  return r.body;
}

const removedByPerson = new Map();
const killAt = Math.floor(replay.length / 2);
let killed;
const t0 = performance.now();
for (const [i, issue] of replay.entries()) {
  const final = topical(issue.labels);
  if (i >= killAt && !killed) {
    // The tracker hangs on the bot's write; the server is killed while it waits, then restarted
    // (on the first issue from the middle on that gets a label).
    tracker.hang(true);
    const calls = tracker.calls.length;
    const r = await deliver(issue, { action: 'open', labels: [] });
    const apply = r.body.bot?.apply ?? [];
    if (apply.length === 0) tracker.hang(false);
    else {
      const end = Date.now() + 30_000;
      while (tracker.calls.length === calls && Date.now() < end) await sleep(5);
      server.child.kill('SIGKILL');
      await new Promise((res) => server.child.once('exit', res));
      tracker.hang(false);
      killed = { iid: issue.iid, apply, held: tracker.calls.length > calls };
      server = await startServer();
      await written(issue.iid, apply);
    }
  } else {
    await classified(issue, { action: 'open', labels: [] });
  }
  // The maintainer: removes what the issue does not finally carry, adds what is missing.
  // Each change is made on the tracker and delivered as GitLab sends a label change.
  const relabel = async (before, after) => {
    tracker.setLabels(key(issue.iid), after);
    await deliver(issue, {
      action: 'update',
      user: 'maintainer',
      labels: after,
      hours: 1,
      changes: { labels: { previous: before.map((title) => ({ title })), current: after.map((title) => ({ title })) } },
    });
    return after;
  };
  let now = tracker.labels(key(issue.iid));
  const wrong = now.filter((l) => !final.includes(l));
  if (wrong.length > 0) {
    const after = now.filter((l) => !wrong.includes(l));
    // The tracker's call count when the person removed it (setting labels on the stand-in makes no call).
    for (const l of wrong) removedByPerson.set(`${issue.iid}|${l}`, tracker.calls.length);
    now = await relabel(now, after);
  }
  const missing = final.filter((l) => !now.includes(l));
  if (missing.length > 0) now = await relabel(now, [...now, ...missing]);
  // ... then edits the issue once more: the bot classifies it again, and must not undo the maintainer.
  await classified(issue, {
    action: 'update',
    user: 'maintainer',
    labels: now,
    title: `${issue.title} `,
    hours: 2,
    changes: { title: { previous: issue.title, current: `${issue.title} ` } },
  });
  if ((i + 1) % 50 === 0) say(`${i + 1}/${replay.length} issues replayed`);
}
const seconds = (performance.now() - t0) / 1000;
// Let the last writes land, then stop the server.
const settle = Date.now() + 30_000;
const pendingOf = () => {
  const lines = readFileSync(ledger, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => JSON.parse(l));
  const closed = new Set(lines.filter((r) => r.type === 'applied' || r.type === 'refused').map((r) => r.delivery));
  return { lines, pending: lines.filter((r) => r.type === 'delivery' && !r.dry && (r.apply.length > 0 || r.comment) && !closed.has(r.id)) };
};
while (pendingOf().pending.length > 0 && Date.now() < settle) await sleep(50);
server.child.kill('SIGTERM');
await new Promise((res) => server.child.once('exit', res));

// The figures, from the ledger and the stand-in's record of every call.
const { lines, pending } = pendingOf();
const recorded = new Set(lines.filter((r) => r.type === 'delivery').map((r) => r.id));
const lost = [...sent.keys()].filter((id) => !recorded.has(id)).length + pending.length;
const modelLabels = new Set(model.labels ?? JSON.parse(readFileSync(join(model.dir, 'bugcat.json'), 'utf8')).labels);
// --only-label read as the bot reads it (base/globs.ts: case ignored, brackets literal).
const only = model.only ? labelMatcher([model.only], { nocase: true, literalBrackets: true }) : undefined;
const mayApply = (l) => modelLabels.has(l) && (!only || only(l));
const finalOf = new Map(replay.map((i) => [i.iid, topical(i.labels)]));
const applied = lines.filter((r) => r.type === 'applied').flatMap((r) => r.labels.map((l) => ({ iid: r.issue, label: l })));
const right = applied.filter((a) => finalOf.get(a.iid)?.includes(a.label)).length;
// A label re-added after a person removed it: a write of it to that issue after the removal.
let readded = 0;
for (const [k, at] of removedByPerson) {
  const [iid, label] = k.split('|');
  readded += tracker.calls
    .slice(at)
    .filter((c) => c.key === key(iid) && c.method === 'PUT' && String(c.body.add_labels).split(',').includes(label)).length;
}
const comments = replay
  .map((i) => ({ iid: i.iid, url: i.web_url, comments: tracker.comments(key(i.iid)) }))
  .filter((c) => c.comments.length > 0);
const result = {
  model: model.kind,
  issues: replay.length,
  deliveries,
  seconds,
  deliveriesPerSecond: deliveries / seconds,
  answerMs: { p50: quantile(answerMs, 0.5), p99: quantile(answerMs, 0.99) },
  untilWrittenMs: { p50: quantile(doneMs, 0.5), p99: quantile(doneMs, 0.99) },
  labelsApplied: applied.length,
  precision: applied.length ? right / applied.length : null,
  issuesWithALabel: new Set(applied.map((a) => a.iid)).size,
  // The final labels the bot could have added (the model's own, within --only-label): how many it found.
  finalLabelsItKnows: replay.reduce((s, i) => s + topical(i.labels).filter(mayApply).length, 0),
  foundOfThem: new Set(applied.filter((a) => finalOf.get(a.iid)?.includes(a.label)).map((a) => `${a.iid}|${a.label}`)).size,
  removedByPerson: removedByPerson.size,
  reAddedAfterRemoval: readded,
  killed,
  lostAcrossKill: lost,
  commentsPosted: comments.reduce((s, c) => s + c.comments.length, 0),
  commentsWithDuplicates: comments.filter((c) => c.comments.some((t) => t.includes('Possibly the same as'))).length,
  // Issues people finally closed as duplicates, and how many of them the bot's comment gave possible duplicates for.
  closedAsDuplicate: replay.filter((i) => i.labels.includes('Closed::Duplicate')).length,
  closedAsDuplicateWithCandidates: comments.filter(
    (c) =>
      replay.find((i) => i.iid === c.iid)?.labels.includes('Closed::Duplicate') &&
      c.comments.some((t) => t.includes('Possibly the same as')),
  ).length,
  issuesCommentedTwice: comments.filter((c) => c.comments.length > 1).length,
  ledger,
  cpu: cpus()[0]?.model,
  loadavg: loadavg(),
  loadAtStart,
};
mkdirSync(dirname(jsonOut), { recursive: true });
writeFileSync(jsonOut, JSON.stringify({ ...result, comments }, null, 2));
const f = (x, d = 1) => (x === null || x === undefined ? '-' : x.toFixed(d));
console.log(
  `bench:bot on ${result.cpu}, load average ${loadAtStart.map((x) => x.toFixed(1)).join(' ')} at the start, ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} at the end`,
);
console.log(`model: ${model.kind}`);
console.log(
  `replayed ${replay.length} QEMU GitLab issues created from ${SPLIT} as ${deliveries} deliveries in ${f(seconds)} s: ${f(result.deliveriesPerSecond)} deliveries/s (sequential: each waited for, with its maintainer's changes)`,
);
console.log(
  `time per classified delivery: answered p50 ${f(result.answerMs.p50)} ms, p99 ${f(result.answerMs.p99)} ms; until its labels were written p50 ${f(result.untilWrittenMs.p50)} ms, p99 ${f(result.untilWrittenMs.p99)} ms`,
);
console.log(
  `labels applied: ${applied.length} on ${result.issuesWithALabel} issues, precision against the final labels ${f(100 * (result.precision ?? NaN))} % (${right} right); they are ${result.foundOfThem} of the ${result.finalLabelsItKnows} final labels it could add (the model's${model.only ? `, within ${model.only}` : ''})`,
);
console.log(`labels a person removed: ${removedByPerson.size}; re-added by the bot after removal: ${readded} (must be 0)`);
console.log(`kill -9 mid-delivery (issue ${killed?.iid}, tracker hanging: ${killed?.held}): deliveries lost ${lost} (must be 0)`);
console.log(
  `comments: ${result.commentsPosted} on ${comments.length} issues, ${result.issuesCommentedTwice} issue(s) commented twice (must be 0); ${result.commentsWithDuplicates} list possible duplicates (similarity >= 0.5); of the ${result.closedAsDuplicate} issues people closed as duplicates, ${result.closedAsDuplicateWithCandidates} got a list`,
);
console.log(`ledger: ${ledger}; figures: ${jsonOut}`);
await tracker.close();
