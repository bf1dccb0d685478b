/**
 * The Targets object (base/targets.ts): what the networks, the calibration and autotune are
 * fitted to, passed whole; its kind, its subsets for folds, its counts and weights, and its
 * passage through a worker message as plain data.
 */
import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { Targets, type TargetsData } from '../src/base/targets.js';
import { trainingTargets } from '../src/model/targets.js';

const hard = () => trainingTargets([{ name: 'label', labels: ['b', 'a', 'c', 'b', 'b'] }], () => {});
const soft = () =>
  trainingTargets(
    [
      { name: 'one', labels: ['a', 'b', 'a', '', 'b', 'a'] },
      { name: 'two', labels: ['a', 'b', 'b', 'b', 'a', 'a'] },
    ],
    () => {},
  );

/** Sends `data` through a MessageChannel, as a worker message goes (the structured clone algorithm), and returns what arrives. */
async function throughMessage<T>(data: T): Promise<T> {
  const { port1, port2 } = new MessageChannel();
  const arrived = new Promise<T>((resolve) => port2.once('message', resolve));
  port1.postMessage(data);
  const got = await arrived;
  port1.close();
  return got;
}

describe('Targets', () => {
  it('says single-label, with the label set, each report label and the summary of how they were made', () => {
    const t = hard();
    expect(t).toBeInstanceOf(Targets);
    expect(t.kind).toBe('single-label');
    expect(t.labels).toEqual(['a', 'b', 'c']);
    expect(Array.from(t.y)).toEqual([1, 0, 2, 1, 1]);
    expect(t.size).toBe(5);
    expect(t.soft).toBeUndefined();
    expect(t.summary).toEqual({ method: 'single', annotators: ['label'] });
    expect(soft().kind).toBe('single-label');
  });

  it('subset: the rows asked for, in that order, with their soft rows; the label set, kind and summary kept', () => {
    const t = soft();
    const s = t.subset([4, 0, 4]);
    expect(s.kind).toBe(t.kind);
    expect(s.labels).toBe(t.labels);
    expect(s.summary).toBe(t.summary);
    expect(Array.from(s.y)).toEqual([t.y[4], t.y[0], t.y[4]]);
    expect(Array.from(s.soft!)).toEqual([...t.soft!.subarray(8, 10), ...t.soft!.subarray(0, 2), ...t.soft!.subarray(8, 10)]);
    expect(t.subset([]).size).toBe(0);
    const h = hard().subset([2, 3]);
    expect(Array.from(h.y)).toEqual([2, 1]);
    expect(h.soft).toBeUndefined();
    expect(h.labelCounts()).toEqual({ a: 0, b: 1, c: 1 });
  });

  it('counts each label, and weighs reports by their labels (one-hot targets give the hard weights, soft ones their mean)', () => {
    const t = hard();
    expect(t.labelCounts()).toEqual({ a: 1, b: 3, c: 1 });
    // n / (labels x n_l): 5 / 3, 5 / 9, 5 / 3.
    expect(Array.from(t.sampleWeights(1))).toEqual(Array.from(Float32Array.from([5 / 9, 5 / 3, 5 / 3, 5 / 9, 5 / 9])));
    expect(Array.from(t.sampleWeights(0))).toEqual([1, 1, 1, 1, 1]);
    const one = new Targets({
      ...t.data(),
      soft: Float32Array.from(t.y.reduce<number[]>((m, c) => [...m, ...[0, 1, 2].map((k) => Number(k === c))], [])),
    });
    expect(Array.from(one.sampleWeights(0.5))).toEqual(Array.from(t.sampleWeights(0.5)));
  });

  it('crosses a worker message as plain data, and is made Targets again with the same fields', async () => {
    for (const t of [hard(), soft()]) {
      for (const data of [structuredClone(t.data()), await throughMessage(t.data()), await throughMessage(t as TargetsData)]) {
        expect(data).not.toBeInstanceOf(Targets);
        const back = Targets.from(data);
        expect(back).toBeInstanceOf(Targets);
        expect(back.kind).toBe(t.kind);
        expect(back.labels).toEqual(t.labels);
        expect(back.y).toBeInstanceOf(Int32Array);
        expect(Array.from(back.y)).toEqual(Array.from(t.y));
        if (t.soft) expect(Array.from(back.soft!)).toEqual(Array.from(t.soft));
        else expect(back.soft).toBeUndefined();
        expect(back.summary).toEqual(t.summary);
        expect(back.subset([1, 0]).labelCounts()).toEqual(t.subset([1, 0]).labelCounts());
      }
    }
    const t = hard();
    expect(Targets.from(t)).toBe(t);
  });
});
