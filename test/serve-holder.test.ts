/**
 * The model holder's swap, step by step with an engine the test drives: a request keeps the
 * model it started with to its end, the old model goes only after its last request, a refused
 * model changes nothing, and reloads run one at a time. (serve-reload.test.ts shows the same
 * end to end under load, where the timing is the machine's.)
 */
import { describe, expect, it } from 'vitest';
import type { Engine } from '../src/serve/engine.js';
import { ModelHolder } from '../src/serve/holder.js';
import type { ModelInfo } from '../src/index.js';

/** An engine whose loads and predictions finish when the test says. */
class Puppet implements Engine {
  readonly threads = 0;
  readonly loaded: number[] = [];
  readonly discarded: number[] = [];
  readonly answers: { version: number; answer: () => void }[] = [];
  refuse = false;
  checksum = 'a';

  async load(version: number): Promise<ModelInfo> {
    if (this.refuse) throw new Error('damaged');
    this.loaded.push(version);
    return {
      checksum: this.checksum,
      labels: ['x'],
      hyperparameters: {} as ModelInfo['hyperparameters'],
      summary: {} as ModelInfo['summary'],
      explains: false,
    };
  }

  predict(version: number) {
    return new Promise<never[]>((resolve) => this.answers.push({ version, answer: () => resolve([]) }));
  }

  async explain(): Promise<unknown> {
    return undefined;
  }

  discard(version: number): void {
    this.discarded.push(version);
  }

  async close(): Promise<void> {}
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ModelHolder', () => {
  it('a request in flight keeps its model across a reload; the old model goes after its last request', async () => {
    const engine = new Puppet();
    const holder = await ModelHolder.open(engine, 'dir');
    const first = holder.predict(['a'], {});
    const second = holder.predict(['b'], {});
    engine.checksum = 'b';
    const reload = await holder.reload();
    expect(reload).toMatchObject({ ok: true, model: { version: 2, checksum: 'b' }, previous: { version: 1, checksum: 'a' } });
    expect(holder.current.version).toBe(2);
    // New requests go to the new model at once; the old one stays while it has requests.
    const third = holder.predict(['c'], {});
    expect(engine.answers.map((a) => a.version)).toEqual([1, 1, 2]);
    expect(engine.discarded).toEqual([]);
    engine.answers[0].answer();
    expect((await first).model.version).toBe(1);
    expect(engine.discarded).toEqual([]);
    engine.answers[1].answer();
    expect((await second).model.checksum).toBe('a');
    expect(engine.discarded).toEqual([1]);
    engine.answers[2].answer();
    expect((await third).model.version).toBe(2);
    expect(engine.discarded).toEqual([1]);
  });

  it('an old model with no request in flight goes at once', async () => {
    const engine = new Puppet();
    const holder = await ModelHolder.open(engine, 'dir');
    await holder.reload();
    expect(engine.discarded).toEqual([1]);
  });

  it('a refused model changes nothing: the old one serves, and is not discarded', async () => {
    const engine = new Puppet();
    const holder = await ModelHolder.open(engine, 'dir');
    engine.refuse = true;
    const r = await holder.reload();
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error.message).toBe('damaged');
    expect(holder.current.version).toBe(1);
    expect(engine.discarded).toEqual([]);
    const p = holder.predict(['a'], {});
    engine.answers[0].answer();
    expect((await p).model.version).toBe(1);
  });

  it('reloads run one at a time, in order', async () => {
    const engine = new Puppet();
    const holder = await ModelHolder.open(engine, 'dir');
    const [a, b] = [holder.reload(), holder.reload()];
    await tick();
    const [ra, rb] = await Promise.all([a, b]);
    expect(ra.ok && ra.model.version).toBe(2);
    expect(rb.ok && rb.previous.version).toBe(2);
    expect(rb.model.version).toBe(3);
    expect(engine.loaded).toEqual([1, 2, 3]);
    expect(engine.discarded).toEqual([1, 2]);
  });
});
