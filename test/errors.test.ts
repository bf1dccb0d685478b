import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { Vectorizer } from '../src/text/vectorizer.js';
import { bugcat, bugcatAsync, FAST, REPORTS, tmp, type Run } from './helpers.js';

let model: string;

/** Every file of a folder with its content hash and modification time. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir).map((f) => [
      f,
      `${createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex')} ${statSync(join(dir, f)).mtimeMs}`,
    ]),
  );
}

/** A failure as the user must see it: one clear line on stderr, nothing on stdout, no stack trace. */
function expectError(r: Run, code: 1 | 2, message: RegExp) {
  expect(r.status).toBe(code);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(message);
  expect(r.stderr).toMatch(/^bugcat: error: /);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
}

function csvFile(content: string | Buffer, name = 'data.csv'): string {
  const file = join(tmp(), name);
  writeFileSync(file, content);
  return file;
}

function copyModel(): string {
  const dir = join(tmp(), 'model');
  mkdirSync(dir);
  for (const f of readdirSync(model)) writeFileSync(join(dir, f), readFileSync(join(model, f)));
  return dir;
}

beforeAll(async () => {
  model = join(tmp(), 'model');
  expect((await bugcat(['train', '--data', REPORTS, '--out', model, ...FAST])).status).toBe(0);
});

describe('bad input files', () => {
  const train = (file: string, ...extra: string[]) => bugcat(['train', '--data', file, '--out', join(tmp(), 'm'), ...FAST, ...extra]);

  it('a missing file', async () => expectError(await train('/no/such/file.csv'), 1, /\/no\/such\/file\.csv: no such file; check the path/));
  it('an empty file', async () => expectError(await train(csvFile('')), 1, /is empty: expected a CSV with a header row/));
  it('a header without rows', async () => expectError(await train(csvFile('id,text,label\n')), 1, /has a header but no reports/));
  it('a missing text column lists the columns found', async () =>
    expectError(
      await train(csvFile('id,body,label\n1,x,boot\n')),
      1,
      /has no "text" column \(columns found: id, body, label\); name the right one with --text-column/,
    ));
  it('a missing label column when training', async () =>
    expectError(
      await train(csvFile('id,text,category\n1,x,boot\n')),
      1,
      /has no "label" column \(columns found: id, text, category\).*--label-column/,
    ));
  it('a broken quote gives the line', async () =>
    expectError(
      await train(csvFile('id,text,label\n1,fine,boot\n2,"never closed,boot\n3,x,boot\n')),
      1,
      /not valid CSV: a quoted field in the record that starts on line 3 is never closed/,
    ));
  it('a row with too many fields gives the line', async () =>
    expectError(await train(csvFile('id,text,label\n1,a,boot\n2,b,c,boot\n')), 1, /line 3 has 4 fields/));

  it('accepts a UTF-8 BOM and CRLF line ends', async () => {
    const rows = parse(readFileSync(REPORTS), { columns: true }) as Record<string, string>[];
    const body = rows.map((r) => [r.id, `"${r.text.replace(/\n/g, '\r\n')}"`, r.label].join(',')).join('\r\n');
    const file = csvFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('id,text,label\r\n' + body + '\r\n')]));
    const out = join(tmp(), 'm');
    const r = await bugcat(['train', '--data', file, '--out', out, ...FAST]);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'bugcat.json'), 'utf8')).training.n).toBe(30);
    const p = await bugcat(['predict', '--model', out, '--data', file, '--format', 'csv']);
    expect(parse(p.stdout, { columns: true })[0].id).toBe('n1');
  });

  it('accepts bytes that are not UTF-8, replacing them', async () => {
    const file = csvFile(Buffer.concat([Buffer.from('id,text\n1,"caf'), Buffer.from([0xe9, 0xff, 0xfe]), Buffer.from(' boot hangs"\n')]));
    const r = await bugcat(['predict', '--model', model, '--data', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\w+\t0\.\d{4}\t1\n$/);
  });

  it('a single category is refused', async () =>
    expectError(
      await train(csvFile('id,text,label\n1,boot hangs,boot\n2,boot fails,boot\n')),
      1,
      /one category only \(boot\): a classifier needs reports of at least two categories/,
    ));

  it('a category with one report is trained, with a warning', async () => {
    const rows = readFileSync(REPORTS, 'utf8').trimEnd();
    const r = await bugcat([
      'train',
      '--data',
      csvFile(`${rows}\nv1,gitlab,"vnc password rejected",vnc\n`),
      '--out',
      join(tmp(), 'm'),
      '--epochs',
      '2',
    ]);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: 1 category has one report only \(vnc\)/);
  });

  it('a 5 MB report is predicted, cut to the documented --max-chars limit', async () => {
    // The first 20,000 characters are about networking, the 5 MB after them about the display.
    const huge =
      'virtio-net drops network packets on the tap interface. '.repeat(400) + 'the display flickers on the guest screen. '.repeat(120_000);
    expect(huge.length).toBeGreaterThan(5_000_000);
    const file = join(tmp(), 'huge.txt');
    writeFileSync(file, huge);
    const r = await bugcat(['predict', '--model', model, '--file', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^network\t/);
    const v = Vectorizer.fit(['virtio net drops packets', 'display flickers on screen'], {
      maxChars: 20000,
      wordNgrams: 2,
      titleNgrams: 2,
      charChars: 0,
      minDf: 1,
      maxDf: 1,
      maxFeatures: 100,
    });
    expect(v.transform(huge)).toEqual(v.transform(huge.slice(0, 20000)));
  });

  it('binary garbage on stdin is refused', async () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    expectError(
      await bugcat(['predict', '--model', model], { input: garbage }),
      1,
      /stdin looks like binary data, not text \(\d+ % of its bytes are control characters\)/,
    );
  });

  it('empty stdin is refused', async () => expectError(await bugcat(['predict', '--model', model], { input: '' }), 1, /stdin is empty/));
});

describe('bad models', () => {
  const predict = (dir: string) => bugcat(['predict', '--model', dir, 'guest hangs at boot']);

  it('a model folder that does not exist', async () =>
    expectError(await predict('/no/such/model'), 1, /model \/no\/such\/model does not exist: train one with "bugcat train/));
  it('a folder that is not a model', async () => expectError(await predict(tmp()), 1, /is not a bugcat model \(no bugcat\.json\)/));
  it('a missing file inside the model', async () => {
    const dir = copyModel();
    unlinkSync(join(dir, 'vocabulary.json'));
    expectError(await predict(dir), 1, /is incomplete: vocabulary\.json is missing; retrain it or restore/);
  });
  it('a truncated weights file, caught by its checksum', async () => {
    const dir = copyModel();
    truncateSync(join(dir, 'weights.bin'), statSync(join(dir, 'weights.bin')).size - 100);
    expectError(await predict(dir), 1, /is damaged: weights\.bin does not match its checksum \(truncated or altered\)/);
  });
  it('an altered vocabulary, caught by its checksum', async () => {
    const dir = copyModel();
    writeFileSync(join(dir, 'vocabulary.json'), readFileSync(join(dir, 'vocabulary.json'), 'utf8').replace('"boot"', '"bott"'));
    expectError(await predict(dir), 1, /vocabulary\.json does not match its checksum/);
  });
  it('a format version newer than this bugcat reads', async () => {
    const dir = copyModel();
    const manifest = JSON.parse(readFileSync(join(dir, 'bugcat.json'), 'utf8'));
    writeFileSync(join(dir, 'bugcat.json'), JSON.stringify({ ...manifest, formatVersion: 7 }));
    expectError(await predict(dir), 1, /has format version 7; this bugcat reads versions 1, 2: upgrade bugcat to use it/);
  });
  it('a format version older than this bugcat reads says how to retrain', async () => {
    const dir = copyModel();
    const manifest = JSON.parse(readFileSync(join(dir, 'bugcat.json'), 'utf8'));
    writeFileSync(join(dir, 'bugcat.json'), JSON.stringify({ ...manifest, formatVersion: 0 }));
    expectError(await predict(dir), 1, /has format version 0; this bugcat reads versions 1, 2: retrain it with this bugcat/);
  });
  it('a manifest that is not JSON', async () => {
    const dir = copyModel();
    writeFileSync(join(dir, 'bugcat.json'), '{"format": "bugcat-model", ');
    expectError(await predict(dir), 1, /bugcat\.json is not valid JSON/);
  });
});

describe('nothing lost, nothing half-written', () => {
  it('refuses --out over a folder that is not a bugcat model, and with --force leaves its files alone', async () => {
    const out = tmp();
    writeFileSync(join(out, 'notes.txt'), 'my notes');
    const before = snapshot(out);
    expectError(
      await bugcat(['train', '--data', REPORTS, '--out', out, ...FAST]),
      1,
      /already holds files that are not a bugcat model \(notes\.txt\).*--force/,
    );
    expect(snapshot(out)).toEqual(before);
    const r = await bugcat(['train', '--data', REPORTS, '--out', out, '--force', ...FAST]);
    expect(r.status).toBe(0);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('my notes');
    expect(existsSync(join(out, 'bugcat.json'))).toBe(true);
  });

  it('replaces an existing model but keeps files the user put beside it', async () => {
    const dir = copyModel();
    writeFileSync(join(dir, 'README.md'), 'about my model');
    expect((await bugcat(['train', '--data', REPORTS, '--out', dir, '--seed', '9', ...FAST])).status).toBe(0);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('about my model');
    expect(JSON.parse(readFileSync(join(dir, 'bugcat.json'), 'utf8')).hyperparameters.seed).toBe(9);
  });

  it('predict and evaluate never write into the model folder', async () => {
    const dir = copyModel();
    const before = snapshot(dir);
    chmodSync(dir, 0o555);
    try {
      expect((await bugcat(['predict', '--model', dir, '--format', 'json', 'boot hangs'])).status).toBe(0);
      expect((await bugcat(['evaluate', '--model', dir, '--data', REPORTS])).status).toBe(0);
    } finally {
      chmodSync(dir, 0o755);
    }
    expect(snapshot(dir)).toEqual(before);
  });

  it.each(['SIGINT', 'SIGTERM'] as const)(
    'train killed by %s leaves the previous model intact or the new one whole',
    async (signal) => {
      // A training set big enough to take a while, so that signals land in every phase.
      const rows = readFileSync(REPORTS, 'utf8').trimEnd().split('\n');
      const big = csvFile([rows[0], ...Array.from({ length: 40 }, () => rows.slice(1).join('\n'))].join('\n'));
      for (const delay of [50, 250, 600, 1000, 1500, 2200]) {
        const dir = copyModel();
        const before = snapshot(dir);
        const child = bugcatAsync(['train', '--data', big, '--out', dir, '--epochs', '4', '--quiet']);
        const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.on('exit', (code, sig) => resolve({ code, signal: sig })),
        );
        await new Promise((r) => setTimeout(r, delay));
        child.kill(signal);
        const { code } = await exit;
        const leftovers = readdirSync(dirname(dir)).filter((f) => f.includes('.partial-'));
        expect(leftovers).toEqual([]);
        // The folder holds the previous model untouched, or a whole new one (checksums verified by
        // predict). Which one is told by the folder, not the exit code: a signal can land after the
        // new model is in place and before the process exits.
        const after = snapshot(dir);
        if (code === 0) expect(after).not.toEqual(before);
        if (JSON.stringify(after) !== JSON.stringify(before))
          expect((await bugcat(['predict', '--model', dir, 'boot hangs'])).status).toBe(0);
      }
    },
    120_000,
  );
});

describe('exit codes', () => {
  it('2 for an unknown option', async () => expectError(await bugcat(['predict', '--bogus']), 2, /unknown option '--bogus'/));
  it('2 for a missing required option', async () =>
    expectError(await bugcat(['train', '--out', join(tmp(), 'm')]), 2, /required option '--data <path>' not specified/));
  it('2 for a missing option argument', async () =>
    expectError(await bugcat(['predict', '--model']), 2, /option '--model <dir>' argument missing/));
  it('2 for an invalid value', async () =>
    expectError(
      await bugcat(['train', '--data', REPORTS, '--out', 'x', '--epochs', 'many']),
      2,
      /'--epochs <value>' argument 'many' is invalid/,
    ));
  it('2 for one calibration fold, which would leave nothing to train on', async () =>
    expectError(
      await bugcat(['train', '--data', REPORTS, '--out', 'x', '--calibration-folds', '1']),
      2,
      /expected 0 \(no calibration\) or 2 to 20 folds/,
    ));
  it('2 for an unknown command', async () => expectError(await bugcat(['classify']), 2, /unknown command 'classify'/));
  it('2 for two report sources at once', async () =>
    expectError(await bugcat(['predict', '--model', model, '--data', REPORTS, 'text']), 2, /give reports one way only/));
  it('1 for a data error, 0 for success', async () => {
    expect((await bugcat(['predict', '--model', model, '--data', '/nope.csv'])).status).toBe(1);
    expect((await bugcat(['predict', '--model', model, 'text'])).status).toBe(0);
  });
});
