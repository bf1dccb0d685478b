/**
 * Options objects of the public API: a key the function does not know (a typo, an option of
 * another function) is refused where it is given, with a UsageError naming it and the nearest
 * known key, instead of being ignored (readReports with `label` for `labelColumn` used to give
 * unlabelled reports, and train failed far from the mistake).
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  audit,
  crossValidate,
  fromArtifacts,
  load,
  NON_ANSWERS,
  parseReports,
  predictStream,
  pretrain,
  readAllReports,
  readReports,
  SHIPPED_MODEL,
  streamReportBytes,
  textReports,
  streamReports,
  train,
  UsageError,
  writeStudyLayout,
  type Model,
} from '../src/index.js';
import { REPORTS, tmp } from './helpers.js';

const reports = readReports(REPORTS, { labelColumn: 'label' });
const bytes = new TextEncoder().encode('text\nguest hangs at boot\n');
async function* records() {
  yield { id: '1', text: 'guest hangs at boot' };
}
/** Runs a call, draining it if it is a stream (which checks on its first step), and gives what it threw. */
async function thrown(call: () => unknown): Promise<unknown> {
  try {
    const out = await call();
    if (out && typeof out === 'object' && Symbol.asyncIterator in out) for await (const _ of out as AsyncIterable<unknown>);
  } catch (err) {
    return err;
  }
  return undefined;
}

let model: Model;
beforeAll(async () => {
  model = await load(SHIPPED_MODEL);
});

describe('unknown option keys', () => {
  // [function, call with an unknown key, the key, the nearest known key]
  const cases: [string, () => unknown, string, string][] = [
    ['readReports', () => readReports(REPORTS, { label: 'label' } as never), 'label', 'labelColumn'],
    ['readAllReports', () => readAllReports([REPORTS], { textcolumn: 'text' } as never), 'textcolumn', 'textColumn'],
    ['readAllReports', () => readAllReports([REPORTS], { labelColumn: 'label' } as never), 'labelColumn', 'secondLabelColumn'],
    ['parseReports', () => parseReports(bytes, 'bytes', { idcol: 'id' } as never), 'idcol', 'idColumn'],
    ['streamReports', () => streamReports(REPORTS, { progres: {} } as never), 'progres', 'progress'],
    ['streamReportBytes', () => streamReportBytes(records() as never, 'bytes', { formt: 'csv' } as never), 'formt', 'format'],
    ['textReports', () => textReports([{ id: '1', text: 'guest hangs' }], { onwarning: () => {} } as never), 'onwarning', 'onWarning'],
    ['predictStream', () => predictStream(model, records(), { job: 1 } as never), 'job', 'jobs'],
    ['train', () => train(reports, { thread: 1 } as never), 'thread', 'threads'],
    ['autotune', () => train(reports, { autotune: { budget: 5 } } as never), 'budget', 'budgetSeconds'],
    ['load', () => load(SHIPPED_MODEL, { kernel: 'js' } as never), 'kernel', 'kernels'],
    ['fromArtifacts', () => fromArtifacts(model.toArtifacts(), { backnd: 'cpu' } as never), 'backnd', 'backend'],
    ['crossValidate', () => crossValidate(reports, { fold: 3 } as never), 'fold', 'folds'],
    ['audit', () => audit(reports, { rank: 'self-confidence' } as never), 'rank', 'ranking'],
    ['pretrain', () => pretrain(reports.texts, { maxterms: 10 } as never), 'maxterms', 'maxTerms'],
    ['Model.predict', () => model.predict(['guest hangs'], { minconfidence: 0.5 } as never), 'minconfidence', 'minConfidence'],
    ['Model.explain', () => model.explain('guest hangs', { verus: 'tcg' } as never), 'verus', 'versus'],
    ['Model.save', () => model.save(join(tmp(), 'model'), { forced: true } as never), 'forced', 'force'],
    ['writeStudyLayout', () => writeStudyLayout(join(tmp(), 'study'), [], { forced: true } as never), 'forced', 'force'],
  ];

  it.each(cases)('%s refuses the key, naming it and the nearest known one', async (fn, call, key, nearest) => {
    const err = (await thrown(call)) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.code).toBe('UNKNOWN_OPTION');
    expect(err.exitCode).toBe(2);
    expect(err.problem).toBe(`unknown option '${key}' for ${fn}`);
    expect(err.advice).toMatch(new RegExp(`^did you mean '${nearest}'\\? \\(${fn} takes `));
  });

  it('refuses options that are not an object, listing the known keys', async () => {
    const err = (await thrown(() => readReports(REPORTS, 'label' as never))) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.code).toBe('UNKNOWN_OPTION');
    expect(err.message).toContain('labelColumn');
  });

  it('takes every known key, with or without a value', async () => {
    const read = readReports(REPORTS, {
      textColumn: 'text',
      labelColumn: 'label',
      idColumn: 'id',
      foldColumn: undefined,
      secondLabelColumn: undefined,
      excludeLabels: NON_ANSWERS,
      format: undefined,
      onWarning: () => {},
    });
    expect(read.labels).toEqual(reports.labels);
    expect(model.predict(['guest hangs'], { top: 2, minConfidence: 0, reviewLabel: 'review' })[0].top).toHaveLength(2);
    const out: unknown[] = [];
    for await (const batch of predictStream(model, records(), { top: 1, jobs: 1, batchSize: 4, backend: 'cpu', kernels: 'js' }))
      out.push(...batch);
    expect(out).toHaveLength(1);
  });
});
