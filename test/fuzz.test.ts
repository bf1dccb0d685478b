/**
 * Seeded property tests: random and mutated CSVs and texts fed to the loaders and to predict.
 * The only acceptable outcomes are a result or a clear BugcatError, never another exception.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { BugcatError, readReports, train, type Model } from '../src/index.js';
import { isBlank } from '../src/text/normalize.js';
import { bugcat, REPORTS, tmp } from './helpers.js';

const SEED = 20261125;
const VALID = readFileSync(REPORTS);
const dir = tmp();
let n = 0;

/** Mutations a CSV suffers in the wild: cut short, bytes flipped, quotes and delimiters inserted. */
const mutated = fc
  .array(
    fc.oneof(
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
      fc.record({
        kind: fc.constant('insert' as const),
        at: fc.nat(),
        text: fc.constantFrom('"', ',', '\n', '\r\n', '""', '\u0000', '\ufeff', 'é'),
      }),
    ),
    { minLength: 1, maxLength: 5 },
  )
  .map((ops) => {
    let b = Buffer.from(VALID);
    for (const op of ops) {
      const at = b.length ? op.at % b.length : 0;
      if (op.kind === 'truncate') b = b.subarray(0, at);
      else if (op.kind === 'flip') (b = Buffer.from(b))[at] = op.byte;
      else b = Buffer.concat([b.subarray(0, at), Buffer.from(op.text), b.subarray(at)]);
    }
    return b;
  });

function outcome(fn: () => unknown): 'ok' | 'error' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof BugcatError) {
      expect(err.message.length).toBeGreaterThan(10);
      return 'error';
    }
    throw err;
  }
}

describe('loaders under random input', () => {
  it('a mutated CSV loads or fails with a clear error', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(mutated, (bytes) => {
        const file = join(dir, `m${n++}.csv`);
        writeFileSync(file, bytes);
        seen.add(outcome(() => readReports(file, { labelColumn: 'label' })));
        seen.add(outcome(() => readReports(file)));
      }),
      { seed: SEED, numRuns: 300 },
    );
    expect(seen).toEqual(new Set(['ok', 'error'])); // both outcomes were exercised
  });

  it('random bytes load or fail with a clear error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const file = join(dir, `r${n++}.csv`);
        writeFileSync(file, bytes);
        outcome(() => readReports(file, { labelColumn: 'label', excludeLabels: [] }));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('predict under random text', () => {
  let clf: Model;
  beforeAll(async () => {
    clf = await train(readReports(REPORTS, { labelColumn: 'label' }), { hyperparameters: { epochs: 3, hidden: 8, batchSize: 4 } });
  });

  it('any string gets exactly one label and a probability (the review label, confidence 0, when it is blank)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.lorem()), {
          minLength: 1,
          maxLength: 8,
        }),
        (texts) => {
          const preds = clf.predict(texts, { top: 2 });
          expect(preds).toHaveLength(texts.length);
          preds.forEach((p, i) => {
            if (isBlank(texts[i])) {
              expect(p).toEqual({ label: 'manual-review', confidence: 0, top: [], coverage: 0 });
              return;
            }
            expect(clf.labels).toContain(p.label);
            expect(p.confidence).toBeGreaterThan(0);
            expect(p.confidence).toBeLessThanOrEqual(1);
            expect(p.coverage).toBeGreaterThanOrEqual(0);
            expect(p.coverage).toBeLessThanOrEqual(1);
          });
        },
      ),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('the CLI answers mutated CSVs with a result or one clear error line, never a stack trace', async () => {
    const samples = fc.sample(mutated, { seed: SEED, numRuns: 12 });
    const model = join(tmp(), 'm');
    expect((await bugcat(['train', '--data', REPORTS, '--out', model, '--epochs', '2', '--quiet'])).status).toBe(0);
    for (const bytes of samples) {
      const file = join(dir, `cli${n++}.csv`);
      writeFileSync(file, bytes);
      const r = await bugcat(['predict', '--model', model, '--data', file, '--format', 'csv']);
      expect([0, 1]).toContain(r.status);
      if (r.status === 1) expect(r.stderr).toMatch(/^bugcat: error: [^\n]+\n$/);
      else expect(r.stdout.startsWith('id,label,confidence')).toBe(true);
    }
  });
});
