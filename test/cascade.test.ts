/**
 * The cascade: predict --defer-share / --defer-below marks the least sure reports, and --llm sends
 * them to an Ollama-compatible server. The server here is a stand-in written for the test, on
 * 127.0.0.1 and an ephemeral port, that answers by what the report says: normally, after
 * reasoning, slowly (never, until the client gives up), failing (HTTP 500), or with nonsense.
 * Bounded in count: every request is counted, and the test checks the counts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askLlm, deferralCurve, deferredOf, labelFromAnswer, llmPrompt, readReports } from '../src/index.js';
import { bugcat, FAST, REPORTS, tmp } from './helpers.js';

/** What the stand-in saw and how it behaved. */
interface Seen {
  prompts: string[];
  chats: number;
  inFlight: number;
  maxInFlight: number;
  attemptsOf: Map<string, number>;
}

/** The report's marker word (the stand-in's instructions), from the prompt's first line. */
const markerOf = (prompt: string) => /\b(SLOW|FLAKY|BROKEN|NONSENSE|THINK|PLAIN)\b/.exec(prompt.split('\n', 1)[0])?.[1] ?? 'PLAIN';

function standIn(models: string[]): Promise<{ server: Server; url: string; seen: Seen }> {
  const seen: Seen = { prompts: [], chats: 0, inFlight: 0, maxInFlight: 0, attemptsOf: new Map() };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.method === 'GET' && req.url === '/api/tags') return json(200, { models: models.map((name) => ({ name, model: name })) });
      if (req.method !== 'POST' || req.url !== '/api/chat') return json(404, { error: 'not found' });
      const request = JSON.parse(body) as { model: string; messages: { role: string; content: string }[]; stream: boolean };
      const prompt = request.messages[0].content;
      seen.chats++;
      seen.prompts.push(prompt);
      const title = prompt.split('\n', 1)[0];
      const attempt = (seen.attemptsOf.get(title) ?? 0) + 1;
      seen.attemptsOf.set(title, attempt);
      seen.inFlight++;
      seen.maxInFlight = Math.max(seen.maxInFlight, seen.inFlight);
      const done = () => seen.inFlight--;
      const answer = (content: string) => {
        done();
        json(200, { model: request.model, message: { role: 'assistant', content }, done: true });
      };
      // The category the stand-in answers: the one the report's title names.
      const category = /\b(network|boot|graphic)\b/.exec(title)?.[1] ?? 'network';
      switch (markerOf(prompt)) {
        case 'SLOW':
          // The first attempt is never answered: the client's timeout ends it, and its retry is answered.
          if (attempt === 1) {
            res.on('close', done);
            return;
          }
          return answer(category);
        case 'FLAKY':
          if (attempt === 1) {
            done();
            return json(500, { error: 'the model runner crashed' });
          }
          return answer(`${category}.`);
        case 'BROKEN':
          done();
          return json(500, { error: 'out of memory' });
        case 'NONSENSE':
          return answer('I cannot tell, it might be a banana');
        case 'THINK':
          return answer(`<think>It mentions network and graphic, but really</think>\n\nThe category is: **${category.toUpperCase()}**`);
        default:
          return answer(category);
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen })),
  );
}

const REPORTS_TO_SORT = [
  { id: 'r1', text: 'PLAIN boot hangs with the new firmware\nThe guest stops before the kernel starts.' },
  { id: 'r2', text: 'THINK graphic glitches in the window\nThe display redraws wrongly.' },
  { id: 'r3', text: 'SLOW network link goes down\nThe guest loses its address after a while.' },
  { id: 'r4', text: 'FLAKY boot order wrong\nThe firmware boots from the network first.' },
  { id: 'r5', text: 'NONSENSE something odd\nNothing else to say.' },
  { id: 'r6', text: 'BROKEN graphic card missing\nThe guest sees no display adapter.' },
];

describe('the cascade in the library', () => {
  it('defers the least sure share (ceil of it, ties by order) or those below a confidence, never an unscored report', () => {
    const c = [0.9, 0.2, undefined, 0.5, 0.2, 0.99];
    expect(deferredOf(c, { share: 0.4 })).toEqual([false, true, false, false, true, false]);
    expect(deferredOf(c, { share: 0.41 })).toEqual([false, true, false, true, true, false]);
    expect(deferredOf(c, { below: 0.5 })).toEqual([false, true, false, false, true, false]);
    expect(deferredOf(c, { share: 0 })).toEqual(c.map(() => false));
    expect(deferredOf(c, { share: 1 })).toEqual([true, true, false, true, true, true]);
    expect(() => deferredOf(c, { share: 2 })).toThrow(/share is 2/);
  });

  it('draws the curve of the share deferred against the accuracy of all the answers', () => {
    const labels = ['a', 'a', 'b', 'b'];
    const preds = [
      { label: 'a', confidence: 0.9 },
      { label: 'b', confidence: 0.3 },
      { label: 'a', confidence: 0.4 },
      { label: 'b', confidence: 0.8 },
    ];
    // Deferred to the right labels (the run they come from): each deferred error becomes right.
    expect(deferralCurve(labels, preds, labels, [0, 0.25, 0.5, 1]).map((p) => [p.deferred, p.accuracy, p.keptAccuracy])).toEqual([
      [0, 0.5, 0.5],
      [1, 0.75, 2 / 3],
      [2, 1, 1],
      [4, 1, NaN],
    ]);
    // Deferred to an annotator who is wrong on the second report and right on the third.
    const other = ['a', 'b', 'b', 'a'];
    expect(deferralCurve(labels, preds, other, [0.25, 0.5]).map((p) => p.accuracy)).toEqual([0.5, 0.75]);
    expect(deferralCurve(labels, preds, other, [0.5])[0].lowestKept).toBe(0.8);
    // Case aside, as the study's lower-cased answers are scored.
    expect(deferralCurve(['KVM'], [{ label: 'boot', confidence: 0.1 }], ['kvm'], [1])[0].accuracy).toBe(1);
  });

  it("reads the category from the answer's last word, as the study did, after the reasoning", () => {
    const labels = ['KVM', 'boot', 'user-mode', 'network'];
    expect(labelFromAnswer('kvm', labels)).toBe('KVM');
    expect(labelFromAnswer('<think>boot? network?</think>\nThe answer: Network.', labels)).toBe('network');
    expect(labelFromAnswer('user-mode', labels)).toBe('user-mode');
    expect(labelFromAnswer('network, or maybe something else', labels)).toBe('manual-review');
    expect(labelFromAnswer('<think>still thinking about boot', labels, 'review')).toBe('review');
    expect(labelFromAnswer('', labels)).toBe('manual-review');
  });

  it('builds the prompt as the study did: the report, a newline, then the categories and the one-word instruction', () => {
    const p = llmPrompt('QEMU hangs', ['boot', 'network'], undefined, { boot: 'the guest does not start' });
    expect(p.startsWith('QEMU hangs\n\n')).toBe(true);
    expect(p).toContain('\nboot: the guest does not start\nnetwork\n');
    expect(p.trimEnd().endsWith('Respond only with a single word, the name of the category.')).toBe(true);
    expect(llmPrompt('x', ['a', 'b'], '\nPick one of\n{categories}\n')).toBe('x\n\nPick one of\na\nb\n');
  });

  describe('askLlm against a stand-in Ollama server', () => {
    let s: Awaited<ReturnType<typeof standIn>>;
    beforeAll(async () => {
      s = await standIn(['tiny:1b']);
    });
    afterAll(() => new Promise<void>((r) => s.server.close(() => r())));

    it('answers every report in order: slow, failing and nonsense ones too, with bounded concurrency', async () => {
      const answers = await askLlm(
        REPORTS_TO_SORT.map((r) => r.text),
        {
          url: s.url,
          model: 'tiny:1b',
          labels: ['boot', 'graphic', 'network'],
          concurrency: 2,
          timeoutMs: 5000,
          retries: 1,
          backoffMs: 10,
        },
      );
      expect(answers.map((a) => a.label)).toEqual(['boot', 'graphic', 'network', 'boot', 'manual-review', 'manual-review']);
      expect(answers[2].attempts).toBe(2); // the slow one timed out once
      expect(answers[3].attempts).toBe(2); // the flaky one failed once
      expect(answers[4]).toMatchObject({ answer: 'I cannot tell, it might be a banana', attempts: 1 });
      expect(answers[5]).toMatchObject({ error: 'HTTP 500: out of memory', attempts: 2 });
      expect(answers[5].answer).toBeUndefined();
      expect(s.seen.maxInFlight).toBeLessThanOrEqual(2);
      expect(s.seen.chats).toBe(6 + 3); // one retry each for the slow, the flaky and the broken report
    });

    it('says clearly when the server cannot be reached, or lacks the model', async () => {
      const closed = await standIn([]);
      await new Promise<void>((r) => closed.server.close(() => r()));
      await expect(askLlm(['x'], { url: closed.url, model: 'tiny:1b', labels: ['a', 'b'] })).rejects.toMatchObject({
        code: 'LLM_UNREACHABLE',
        message: expect.stringMatching(/cannot reach the LLM server at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/),
      });
      await expect(askLlm(['x'], { url: s.url, model: 'huge:70b', labels: ['a', 'b'] })).rejects.toMatchObject({
        code: 'LLM_MODEL',
        message: expect.stringMatching(/has no model "huge:70b" \(it has: tiny:1b\)/),
      });
    });
  });
});

describe('bugcat predict --defer-share / --llm', () => {
  let dir: string;
  let model: string;
  let data: string;
  let s: Awaited<ReturnType<typeof standIn>>;
  beforeAll(async () => {
    dir = tmp('bugcat-cascade-');
    model = join(dir, 'model');
    data = join(dir, 'new.csv');
    writeFileSync(data, stringify([['id', 'text'], ...REPORTS_TO_SORT.map((r) => [r.id, r.text])]));
    const t = await bugcat(['train', '--data', REPORTS, '--out', model, ...FAST]);
    expect(t.status, t.stderr).toBe(0);
    s = await standIn(['tiny:1b']);
  });
  afterAll(() => new Promise<void>((r) => s.server.close(() => r())));

  it('marks the least sure share deferred in every format, the model still answering without --llm', async () => {
    const json = await bugcat(['predict', '--model', model, '--data', data, '--format', 'json', '--defer-share', '0.5']);
    expect(json.status, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as { id: string; confidence: number; deferred: boolean; answered_by: string }[];
    expect(rows.filter((r) => r.deferred)).toHaveLength(3);
    const cut = Math.max(...rows.filter((r) => r.deferred).map((r) => r.confidence));
    for (const r of rows.filter((x) => !x.deferred)) expect(r.confidence).toBeGreaterThanOrEqual(cut);
    for (const r of rows) expect(r.answered_by).toBe('model');
    expect(json.stderr).toMatch(/deferred 3 of 6 reports/);
    const deferred = rows.filter((r) => r.deferred).map((r) => r.id);
    const jsonl = await bugcat(['predict', '--model', model, '--data', data, '--format', 'jsonl', '--defer-share', '0.5']);
    expect(
      jsonl.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(rows);
    const csv = await bugcat(['predict', '--model', model, '--data', data, '--format', 'csv', '--defer-share', '0.5']);
    const table = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(table.filter((r) => r.deferred === 'true').map((r) => r.id)).toEqual(deferred);
    expect(table.every((r) => r.answered_by === 'model')).toBe(true);
    const text = await bugcat(['predict', '--model', model, '--data', data, '--defer-share', '0.5']);
    const lines = text.stdout.trim().split('\n');
    expect(lines.filter((l) => l.endsWith('\tanswered_by\tmodel\tdeferred')).map((l) => l.split('\t')[2])).toEqual(deferred);
    expect(lines.every((l) => l.includes('\tanswered_by\tmodel'))).toBe(true);
    // --defer-below: the reports under the confidence.
    const below = await bugcat(['predict', '--model', model, '--data', data, '--format', 'jsonl', '--defer-below', String(cut + 1e-4)]);
    const marked = below.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; deferred: boolean });
    expect(marked.filter((r) => r.deferred).map((r) => r.id)).toEqual(deferred);
  }, 240_000);

  it("sends every deferred report to the LLM and says who answered, with the LLM's raw answer; failed calls lose no report", async () => {
    const before = s.seen.chats;
    s.seen.attemptsOf.clear();
    const args = ['predict', '--model', model, '--data', data, '--defer-share', '1', '--llm', s.url, '--llm-model', 'tiny:1b'];
    const r = await bugcat([...args, '--format', 'jsonl', '--llm-timeout', '5', '--llm-retries', '1', '--llm-concurrency', '3']);
    expect(r.status, r.stderr).toBe(3); // one call failed after its retry
    const rows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((x) => x.id)).toEqual(REPORTS_TO_SORT.map((x) => x.id));
    expect(rows.map((x) => x.label)).toEqual(['boot', 'graphic', 'network', 'boot', 'manual-review', 'manual-review']);
    expect(rows.map((x) => x.answered_by)).toEqual(['llm', 'llm', 'llm', 'llm', 'llm', 'none']);
    expect(rows[1].llm_answer).toMatch(/^<think>.*\*\*GRAPHIC\*\*$/s);
    expect(rows[4].llm_answer).toBe('I cannot tell, it might be a banana');
    expect(rows[5]).toMatchObject({ llm_error: 'HTTP 500: out of memory', deferred: true });
    for (const x of rows) expect(typeof x.model_label).toBe('string');
    expect(r.stderr).toMatch(/1 of 6 LLM calls failed after 1 retries/);
    expect(r.stderr).toMatch(/1 LLM answers named no category/);
    expect(s.seen.maxInFlight).toBeLessThanOrEqual(3);
    expect(s.seen.chats - before).toBe(9);
    // The prompt: the report, a newline, the model's categories one a line, the instruction.
    const prompt = s.seen.prompts.at(-1)!;
    const sent = REPORTS_TO_SORT.find((x) => prompt.startsWith(`${x.text}\n`));
    expect(sent).toBeDefined();
    expect(prompt).toMatch(/These are the possible categories:\n\n(\S+\n)+\nRespond only with a single word, the name of the category\./);
    // CSV carries the same answers; with no retry, the slow and the flaky report fail too.
    s.seen.attemptsOf.clear();
    const csv = await bugcat([...args, '--format', 'csv', '--llm-timeout', '5', '--llm-retries', '0']);
    expect(csv.status, csv.stderr).toBe(3);
    const table = parse(csv.stdout, { columns: true }) as Record<string, string>[];
    expect(table.map((x) => x.answered_by)).toEqual(['llm', 'llm', 'none', 'none', 'llm', 'none']);
    expect(table[4].llm_answer).toBe('I cannot tell, it might be a banana');
    expect(table[5].llm_error).toBe('HTTP 500: out of memory');
    expect(table[2].label).toBe('manual-review');
  }, 240_000);

  it("--out-dir puts the deferred reports nobody answered in the review label's folder, and the LLM's answers in theirs", async () => {
    const out = join(tmp(), 'sorted');
    const r = await bugcat(['predict', '--model', model, '--data', data, '--format', 'json', '--defer-share', '0.5', '--out-dir', out]);
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { id: string; label: string; deferred: boolean }[];
    const folders = (dir: string) =>
      Object.fromEntries(
        readdirSync(dir, { withFileTypes: true })
          .filter((e) => e.isDirectory())
          .flatMap((e) => readdirSync(join(dir, e.name)).map((id) => [id, e.name])),
      );
    // stdout keeps the model's label and marks the row; the folders are the piles: sorted, and left for a person.
    expect(folders(out)).toEqual(Object.fromEntries(rows.map((x) => [x.id, x.deferred ? 'manual-review' : x.label])));
    expect(readFileSync(join(out, 'categories.csv'), 'utf8')).toMatch(/^manual-review, 3$/m);
    // The deferred report's file still ranks the model's labels, its answer first.
    const first = rows.find((x) => x.deferred)!;
    expect(readFileSync(join(out, 'manual-review', first.id), 'utf8').split('\n', 1)[0]).toMatch(new RegExp(`^${first.label}: 0\\.\\d+$`));
    // With --llm the answered reports go in the LLM's label's folder, the failed one in the review label's.
    s.seen.attemptsOf.clear();
    const answered = join(tmp(), 'answered');
    const llm = await bugcat([
      ...['predict', '--model', model, '--data', data, '--format', 'jsonl', '--defer-share', '1', '--out-dir', answered],
      ...['--llm', s.url, '--llm-model', 'tiny:1b', '--llm-timeout', '5', '--llm-retries', '1'],
    ]);
    expect(llm.status, llm.stderr).toBe(3);
    const labelled = llm.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; label: string });
    expect(folders(answered)).toEqual(Object.fromEntries(labelled.map((x) => [x.id, x.label])));
  }, 240_000);

  it('--llm-prompt replaces what follows the report; a wrong URL or model fails before any output', async () => {
    const file = join(dir, 'preamble.txt');
    writeFileSync(file, '\nWhich of these is it?\n{categories}\nOne word.');
    const before = s.seen.prompts.length;
    const r = await bugcat([
      'predict',
      '--model',
      model,
      'PLAIN boot stalls',
      '--defer-share',
      '1',
      '--llm',
      s.url,
      '--llm-model',
      'tiny:1b',
      '--llm-prompt',
      file,
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^boot\t[\d.]+\tanswered_by\tllm\n$/);
    expect(s.seen.prompts.slice(before)).toHaveLength(1);
    expect(s.seen.prompts.at(-1)).toMatch(/^PLAIN boot stalls\n\nWhich of these is it\?\n(\S+\n)+One word\.$/);
    const closed = await standIn([]);
    await new Promise<void>((done) => closed.server.close(() => done()));
    // predict deferring half to the LLM server at `url`, with the flags that follow.
    const deferTo = (url: string, ...flags: string[]) =>
      bugcat(['predict', '--model', model, '--data', data, '--defer-share', '0.5', '--llm', url, ...flags]);
    const down = await deferTo(closed.url, '--llm-model', 'tiny:1b');
    expect(down.status).toBe(1);
    expect(down.stdout).toBe('');
    expect(down.stderr).toMatch(/cannot reach the LLM server at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/);
    const noModel = await deferTo(s.url, '--llm-model', 'other');
    expect(noModel.status).toBe(1);
    expect(noModel.stderr).toMatch(/has no model "other"/);
    const noName = await deferTo(s.url);
    expect(noName.status).toBe(2);
    expect(noName.stderr).toMatch(/--llm needs --llm-model/);
    const noTime = await deferTo(s.url, '--llm-model', 'm', '--llm-timeout', '0');
    expect(noTime.status).toBe(2);
    expect(noTime.stdout).toBe('');
    expect(noTime.stderr).toMatch(/--llm-timeout.*'0' is invalid\. expected a number above 0\n/);
  }, 240_000);
});

describe('bugcat evaluate --defer-curve', () => {
  it('gives the curve in the text, the JSON and the page, answered by a column of stored answers', async () => {
    const dir = tmp('bugcat-defer-curve-');
    const model = join(dir, 'model');
    const t = await bugcat(['train', '--data', REPORTS, '--out', model, ...FAST]);
    expect(t.status, t.stderr).toBe(0);
    // Stored answers: an "LLM" that is right on every report but the first of each category.
    const r = readReports(REPORTS, { labelColumn: 'label' });
    const seen = new Set<string>();
    const llm = r.labels!.map((l) => (seen.has(l) ? l : (seen.add(l), l === 'boot' ? 'network' : 'boot')));
    const data = join(dir, 'scored.csv');
    writeFileSync(data, stringify([['id', 'text', 'label', 'llm'], ...r.texts.map((x, i) => [r.ids[i], x, r.labels![i], llm[i]])]));
    const json = join(dir, 'eval.json');
    const html = join(dir, 'eval.html');
    const e = await bugcat(['evaluate', '--model', model, '--data', data, '--defer-curve', 'llm', '--json', json, '--html', html]);
    expect(e.status, e.stderr).toBe(0);
    const result = JSON.parse(readFileSync(json, 'utf8'));
    expect(result.defer_curve.by).toBe('llm');
    const points = result.defer_curve.points as { share: number; deferred: number; accuracy: number }[];
    expect(points.map((p) => p.share)).toEqual([0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]);
    expect(points[0].accuracy).toBeCloseTo(result.accuracy, 10);
    expect(points.map((p) => p.deferred)).toEqual(points.map((p) => Math.ceil(p.share * r.texts.length)));
    for (const p of points) expect(e.stdout).toContain(`(${p.deferred} reports) -> ${p.accuracy.toFixed(3)}`);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('Accuracy against the share deferred');
    expect(page).toContain('<code>0.3</code>');
  }, 240_000);
});
