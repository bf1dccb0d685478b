/**
 * What the ledger teaches, through the built CLI: `bugcat feedback` counts per label what the bot
 * suggested and applied, what people kept, removed and added where it missed, in text, JSON and
 * HTML alike; `train --ledger` learns from the issues people labelled or confirmed, weighted, and
 * never from the bot's unconfirmed suggestions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Ledger, type LedgerRecord } from '../src/index.js';
import { bugcat, FAST, REPORTS, tmp } from './helpers.js';
import { deliveryRecord } from './ledger-records.js';

const issue = (n: number) => ({ tracker: 'gitlab' as const, project: '9', issue: n });
const delivery = (n: number, label: string, at: string, dry = false): LedgerRecord =>
  deliveryRecord({
    ...issue(n),
    id: `d${n}`,
    at,
    text: `issue ${n}: the guest network stops after migration`,
    apply: [label],
    suggestions: [{ label, probability: 0.8 }],
    dry,
  });
const applied = (n: number, label: string, at: string): LedgerRecord => ({
  ...issue(n),
  type: 'applied',
  delivery: `d${n}`,
  at,
  labels: [label],
  commented: false,
});
const person = (n: number, at: string, added: string[], removed: string[]): LedgerRecord => ({
  ...issue(n),
  type: 'person',
  at,
  added,
  removed,
});

let ledger: string;
beforeAll(() => {
  ledger = join(tmp('bugcat-feedback-'), 'ledger.jsonl');
  const { ledger: l } = Ledger.open(ledger);
  l.append(
    // 1: network applied, kept (a person added kind::bug beside it: confirmed); 2: network applied, removed, graphic added (missed);
    // 3: network applied, nobody touched (unconfirmed); 4: boot applied in March, kept.
    delivery(1, 'network', '2026-02-01T10:00:00Z'),
    applied(1, 'network', '2026-02-01T10:00:01Z'),
    person(1, '2026-02-02T00:00:00Z', ['kind::bug'], []),
    delivery(2, 'network', '2026-02-03T10:00:00Z'),
    applied(2, 'network', '2026-02-03T10:00:01Z'),
    person(2, '2026-02-04T00:00:00Z', ['graphic'], ['network']),
    delivery(3, 'network', '2026-02-05T10:00:00Z'),
    applied(3, 'network', '2026-02-05T10:00:01Z'),
    delivery(4, 'boot', '2026-03-01T10:00:00Z'),
    applied(4, 'boot', '2026-03-01T10:00:01Z'),
  );
  l.close();
});

describe('bugcat feedback', () => {
  it('counts per label and over time, the same in text, JSON and HTML', async () => {
    const json = await bugcat(['feedback', '--ledger', ledger, '--format', 'json']);
    expect(json.status).toBe(0);
    const f = JSON.parse(json.stdout);
    const row = (label: string) => f.labels.find((r: { label: string }) => r.label === label);
    expect(f.issues).toBe(4);
    expect(row('network')).toMatchObject({ suggested: 3, applied: 3, kept: 2, removedByPerson: 1, missed: 0 });
    expect(row('graphic')).toMatchObject({ applied: 0, missed: 1 });
    expect(row('kind::bug')).toMatchObject({ missed: 1 });
    expect(row('boot')).toMatchObject({ applied: 1, kept: 1 });
    expect(f.periods.map((p: { period: string }) => p.period)).toEqual(['2026-02', '2026-03']);
    expect(f.periods[0]).toMatchObject({ suggested: 3, applied: 3, removedByPerson: 1, missed: 2 });

    const html = join(tmp('bugcat-feedback-'), 'feedback.html');
    const text = await bugcat(['feedback', '--ledger', ledger, '--html', html, '--period', 'week']);
    expect(text.status).toBe(0);
    const networkLine = text.stdout.split('\n').find((l) => l.startsWith('network'))!;
    expect(networkLine.trim().split(/\s+/)).toEqual(['network', '3', '3', '2', '1', '0', '66.7%']);
    expect(text.stdout).toContain('2026-W05');
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Content-Security-Policy');
    expect(page.match(/<svg /g)?.length).toBe(2);
    expect(page).toMatch(/<td>network<\/td><td class="num">3<\/td><td class="num">3<\/td><td class="num">2<\/td><td class="num">1<\/td>/);
  });

  it('names a missing ledger', async () => {
    const r = await bugcat(['feedback', '--ledger', join(tmp('bugcat-feedback-'), 'none.jsonl')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('does not exist');
  });
});

describe('train --ledger', () => {
  it('adds the issues people labelled or confirmed, each --ledger-weight times, and no unconfirmed suggestion', async () => {
    const dir = tmp('bugcat-feedback-');
    const plain = await bugcat(['train', '--data', REPORTS, '--out', join(dir, 'plain'), ...FAST.filter((f) => f !== '--quiet')]);
    expect(plain.status).toBe(0);
    const r = await bugcat([
      'train',
      '--data',
      REPORTS,
      '--out',
      join(dir, 'model'),
      '--ledger',
      ledger,
      '--ledger-weight',
      '2',
      ...FAST.filter((f) => f !== '--quiet'),
    ]);
    expect(r.status).toBe(0);
    const summary = (d: string) => JSON.parse(readFileSync(join(dir, d, 'bugcat.json'), 'utf8')).training;
    const [before, after] = [summary('plain'), summary('model')];
    // Confirmed: issue 1 (network, kept after a person's change beside it; kind::bug is not one of the data's labels),
    // issue 2 (graphic, added by a person). Not issues 3 and 4: applied, never touched by a person.
    expect(after.labelCounts.network - before.labelCounts.network).toBe(2);
    expect(after.labelCounts.graphic - before.labelCounts.graphic).toBe(2);
    expect(after.labelCounts.boot).toBe(before.labelCounts.boot);
    expect(after.n - before.n).toBe(4);
    expect(r.stderr).toMatch(/ledger .*: 2 issues whose labels people set or confirmed added, each counted 2 times/);
  });
});
