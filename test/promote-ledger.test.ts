/**
 * promote --ledger: the candidate and the active model compared on the bot's ledger (its most
 * recent issues whose labels people set or confirmed, with the texts the ledger holds), for
 * multi-label models (micro-F1 by default) and single-label ones; and the usage errors around it.
 * Also train --ledger on a multi-label export (the bot's kind of model), which reads the same issues.
 *
 * Everything here is written by hand: a tracker export of three topics in GitLab's shape to train
 * the multi-label models on, and ledgers whose records are those `serve --ledger` writes.
 */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bugcat, FAST, tmp } from './helpers.js';
import { deliveryRecord } from './ledger-records.js';
import { checksumOf, trainModel } from './serve-helpers.js';

const TOPICS = {
  Networking: ['bridge loses packets', 'virtio-net link never comes up', 'slirp port forward refused', 'tap interface drops traffic'],
  Storage: ['qcow2 image broken after snapshot', 'disk mirror job stalls', 'raw image writes fail', 'scsi disk vanishes'],
  Graphics: ['vnc screen shows garbage', 'gtk window flickers', 'virtio-gpu colours wrong', 'spice cursor stutters'],
} as const;
type Topic = keyof typeof TOPICS;
const TOPIC_NAMES = Object.keys(TOPICS) as Topic[];
const KINDS = { 'kind::Bug': 'it crashes with a segfault, backtrace attached', 'kind::Feature': 'please add an option for this' } as const;
const KIND_NAMES = Object.keys(KINDS) as (keyof typeof KINDS)[];

/** 48 issues in GitLab's export shape, each of one topic and one kind; `rotate` shifts each topic label to the next (a model that learns them wrong). */
function exportOf(rotate: boolean) {
  return Array.from({ length: 48 }, (_, i) => {
    const topic = TOPIC_NAMES[i % 3];
    const kind = KIND_NAMES[Math.floor(i / 3) % 2];
    const phrase = TOPICS[topic][Math.floor(i / 3) % 4];
    return {
      iid: 1 + i,
      title: `${phrase} (${i})`,
      description: `${phrase}. ${KINDS[kind]}.`,
      labels: [rotate ? TOPIC_NAMES[(i + 1) % 3] : topic, kind],
      created_at: `2025-01-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
    };
  });
}

const HEADER = { ledger: 'bugcat', version: 1 };
const ref = (issue: number) => ({ tracker: 'gitlab' as const, project: '7', issue });
const delivery = (issue: number, text: string, happened: string, apply: string[] = []) =>
  deliveryRecord({ ...ref(issue), id: `d${issue}-${happened}`, at: happened, happened, text, apply });
const applied = (issue: number, happened: string, labels: string[]) => ({
  type: 'applied',
  ...ref(issue),
  delivery: `d${issue}-${happened}`,
  at: happened,
  labels,
  commented: false,
});
const person = (issue: number, happened: string, added: string[], removed: string[], labels: string[]) => ({
  type: 'person',
  ...ref(issue),
  at: happened,
  happened,
  by: 'maintainer',
  added,
  removed,
  labels,
});
const writeLedger = (path: string, records: object[]) =>
  writeFileSync(path, [HEADER, ...records].map((r) => JSON.stringify(r) + '\n').join(''));
const day = (d: number, h = 10) => `2026-03-${String(d).padStart(2, '0')}T${String(h).padStart(2, '0')}:00:00Z`;

let work: string;
let multiA: string;
let multiWorse: string;
let singleA: string;
/** The multi-label ledger: 12 issues people labelled (a person added the labels, or kept bugcat's), and 3 they did not. */
let ledger: string;

beforeAll(async () => {
  work = tmp('bugcat-promote-ledger-');
  const trainOn = async (rotate: boolean, out: string) => {
    const data = join(work, `${rotate ? 'rotated' : 'issues'}.json`);
    writeFileSync(data, JSON.stringify(exportOf(rotate)));
    const r = await bugcat(['train', '--data', data, '--out', out, '--min-label-count', '3', '--calibration-folds', '2', ...FAST]);
    expect(r.status, r.stderr).toBe(0);
  };
  multiA = join(work, 'multi-a');
  multiWorse = join(work, 'multi-worse');
  [, , singleA] = await Promise.all([trainOn(false, multiA), trainOn(true, multiWorse), trainModel(1)]);

  // Issue i (1..12) of topic i % 3, written in words of its own (never a training text).
  const records: object[] = [];
  for (let i = 1; i <= 12; i++) {
    const topic = TOPIC_NAMES[i % 3];
    const kind = KIND_NAMES[i % 2];
    const text = `${TOPICS[topic][(i + 1) % 4]} on the new host\n${TOPICS[topic][i % 4]} again. ${KINDS[kind]}.`;
    if (i % 3 === 0) {
      // bugcat applied the topic; a person added the kind and kept bugcat's label.
      records.push(delivery(i, text, day(i), [topic]), applied(i, day(i), [topic]));
      records.push(person(i, day(i, 12), [kind], [], [topic, kind]));
    } else if (i % 3 === 1) {
      // bugcat applied another topic; a person removed it and added the right ones.
      const wrong = TOPIC_NAMES[(i + 1) % 3];
      records.push(delivery(i, text, day(i), [wrong]), applied(i, day(i), [wrong]));
      records.push(person(i, day(i, 12), [topic, kind], [wrong], [topic, kind]));
    } else {
      // bugcat suggested nothing; a person labelled it.
      records.push(delivery(i, text, day(i)), person(i, day(i, 12), [topic, kind], [], [topic, kind]));
    }
  }
  // Not human-labelled: bugcat's labels nobody looked at, and an issue known only from a label change (no text).
  records.push(delivery(20, 'vnc screen shows garbage\nnobody looked', day(20), ['Graphics']), applied(20, day(20), ['Graphics']));
  records.push(delivery(21, 'disk mirror job stalls\nnobody looked', day(21)));
  records.push(person(22, day(22), ['Storage'], [], ['Storage']));
  ledger = join(work, 'ledger.jsonl');
  writeLedger(ledger, records);
}, 300_000);

const promote = (...args: string[]) => bugcat(['promote', ...args]);
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('promote --ledger, multi-label models', () => {
  it("compares by micro-F1 on the ledger's human-labelled issues only, refuses a worse candidate, promotes one no worse", async () => {
    const dir = join(tmp('bugcat-models-'), 'models');
    const first = await promote(multiA, '--models', dir, '--ledger', ledger);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/compared on the ledger's 12 most recent human-labelled issues \(2026-03-01 to 2026-03-12\) by micro_f1/);
    expect(first.stdout).toMatch(/active +none/);
    expect(checksumOf(join(dir, 'active'))).toBe(checksumOf(multiA));

    const out = join(work, 'refused.json');
    const refused = await promote(multiWorse, '--models', dir, '--ledger', ledger, '--json', out);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/worse than the active model by micro-F1 on the ledger's 12 most recent human-labelled issues/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    const c = readJson(out);
    // Issues 20-22 (bugcat's labels nobody looked at, no text) are not among them.
    expect(c).toMatchObject({ promoted: false, source: 'ledger', n: 12, metric: 'micro_f1', noWorse: false });
    expect(c.candidate.kind).toBe('multi-label');
    expect(c.active.micro_f1).toBeGreaterThan(c.candidate.micro_f1);
    expect(c.activeOnlyRight).toBeGreaterThan(0);
    expect(checksumOf(join(dir, 'active'))).toBe(checksumOf(multiA));

    // The same model again scores the same: no worse, promoted; the active one becomes previous.
    const again = join(work, 'multi-a-copy');
    cpSync(multiA, again, { recursive: true });
    const second = await promote(again, '--models', dir, '--ledger', ledger, '--json', join(work, 'again.json'));
    expect(second.status, second.stderr).toBe(0);
    const s = readJson(join(work, 'again.json'));
    expect(s.candidate).toEqual(s.active);
    expect(s).toMatchObject({ promoted: true, candidateOnlyRight: 0, activeOnlyRight: 0 });
    expect(existsSync(join(dir, 'previous'))).toBe(true);

    // --metric macro_f1 decides by macro-F1; --force takes the worse one.
    const macro = await promote(multiWorse, '--models', dir, '--ledger', ledger, '--metric', 'macro_f1');
    expect(macro.status).toBe(1);
    expect(macro.stderr).toMatch(/by macro-F1/);
    const forced = await promote(multiWorse, '--models', dir, '--ledger', ledger, '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(checksumOf(join(dir, 'active'))).toBe(checksumOf(multiWorse));
  }, 120_000);

  it('--recent N takes the N issues the ledger heard of last', async () => {
    const dir = join(tmp('bugcat-models-'), 'models');
    const out = join(work, 'recent.json');
    const r = await promote(multiA, '--models', dir, '--ledger', ledger, '--recent', '4', '--json', out);
    expect(r.status, r.stderr).toBe(0);
    expect(readJson(out)).toMatchObject({ n: 4, from: day(9, 12), to: day(12, 12) });
  }, 60_000);
});

describe('promote --ledger, single-label models and refusals', () => {
  it('a single-label model takes the issues carrying exactly one of its labels, and says how many were left out', async () => {
    const single = join(work, 'single.jsonl');
    const texts = [
      'guest network card missing\nno ethernet interface inside the guest after upgrade',
      'black window at start\nthe display stays black and nothing is drawn',
      'firmware stops before the kernel\nthe bootloader never loads the kernel image',
      'nic and screen both broken\npackets are dropped and the window is black',
    ];
    const truth = [['network'], ['graphic'], ['boot'], ['network', 'graphic']];
    writeLedger(
      single,
      texts.flatMap((t, i) => [delivery(i + 1, t, day(i + 1)), person(i + 1, day(i + 1, 12), truth[i], [], truth[i])]),
    );
    const dir = join(tmp('bugcat-models-'), 'models');
    const out = join(work, 'single.json');
    const r = await promote(singleA, '--models', dir, '--ledger', single, '--json', out);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/1 of the ledger's 4 human-labelled issues carry none or several of the candidate's labels: left out/);
    const c = readJson(out);
    expect(c).toMatchObject({ n: 3, metric: 'accuracy', source: 'ledger' });
    expect(c.candidate.kind).toBe('single-label');
    expect(c.candidate.micro_f1).toBe(c.candidate.accuracy);
    expect(c.warnings.map((w: { kind: string }) => w.kind)).toContain('ledger_left_out');

    // A multi-label candidate against this single-label active model: not comparable (exit 2), unless forced.
    const mixed = await promote(multiA, '--models', dir, '--ledger', ledger);
    expect(mixed.status).toBe(2);
    expect(mixed.stderr).toMatch(/multi-label model and the active one a single-label model.*--force/);
    expect(checksumOf(join(dir, 'active'))).toBe(checksumOf(singleA));
    const forced = await promote(multiA, '--models', dir, '--ledger', ledger, '--force');
    expect(forced.status, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/active +not compared/);
    expect(checksumOf(join(dir, 'active'))).toBe(checksumOf(multiA));
    expect(checksumOf(join(dir, 'previous'))).toBe(checksumOf(singleA));
  }, 120_000);

  it('usage errors (exit 2): no human-labelled issue, --data with --ledger, --recent without it, neither; a missing ledger fails (exit 1)', async () => {
    const dir = join(tmp('bugcat-models-'), 'models');
    const unlabelled = join(work, 'unlabelled.jsonl');
    writeLedger(unlabelled, [delivery(1, 'vnc screen shows garbage\nx', day(1), ['Graphics']), applied(1, day(1), ['Graphics'])]);
    const none = await promote(multiA, '--models', dir, '--ledger', unlabelled);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/holds no issue whose labels people set or confirmed/);
    expect(none.stderr).not.toMatch(/\n\s+at /);
    const data = join(work, 'issues.json');
    const both = await promote(multiA, '--models', dir, '--ledger', ledger, '--data', data);
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/give --data or --ledger, not both/);
    const recent = await promote(multiA, '--models', dir, '--data', data, '--recent', '5');
    expect(recent.status).toBe(2);
    expect(recent.stderr).toMatch(/--recent counts the ledger's issues/);
    expect((await promote(multiA, '--models', dir, '--ledger', ledger, '--recent', '0')).status).toBe(2);
    const neither = await promote(multiA, '--models', dir);
    expect(neither.status).toBe(2);
    expect(neither.stderr).toMatch(/give --data .* or --ledger/);
    const missing = await promote(multiA, '--models', dir, '--ledger', join(work, 'nothing.jsonl'));
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/the ledger .*nothing\.jsonl does not exist/);
    // Nothing was promoted by any of them.
    expect(existsSync(join(dir, 'active'))).toBe(false);
    // A multi-label model compared on a test set: the export with its label lists.
    const onData = await promote(multiA, '--models', dir, '--data', data);
    expect(onData.status, onData.stderr).toBe(0);
    expect(onData.stdout).toMatch(/compared on 48 reports by micro_f1/);
  }, 120_000);
});

describe('train --ledger, multi-label', () => {
  it("adds the ledger's human-labelled issues with all their confirmed labels, and stays a multi-label training", async () => {
    const out = join(work, 'multi-ledger');
    const r = await bugcat([
      'train',
      '--data',
      join(work, 'issues.json'),
      '--ledger',
      ledger,
      '--ledger-weight',
      '2',
      '--out',
      out,
      '--min-label-count',
      '3',
      '--calibration-folds',
      '2',
      ...FAST.filter((f) => f !== '--quiet'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ledger .*: 12 issues whose labels people set or confirmed added, each counted 2 times\n/);
    expect(r.stderr).toMatch(/\(multi-label\)/);
    const m = readJson(join(out, 'bugcat.json'));
    expect(m.multiLabel).toBeDefined();
    // 48 exported issues, then each of the 12 twice: 4 of each topic, 6 of each kind.
    expect(m.training.n).toBe(72);
    expect(m.training.labelCounts).toEqual({ Graphics: 24, Networking: 24, Storage: 24, 'kind::Bug': 36, 'kind::Feature': 36 });
  }, 120_000);
});
