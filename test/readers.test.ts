/**
 * One reader, two drivers (issue 25): every input format's records come from one parser, read
 * whole (readAllReports, parseReports) or streamed (streamReports, streamReportBytes), so both
 * give the same reports, the same failed files and the same warnings; format sniffing, column
 * lookup and the control-character warning are written once.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ColumnError,
  parseReports,
  readAllReports,
  streamReportBytes,
  streamReports,
  type ReportRecord,
  type Reports,
} from '../src/index.js';
import { lookUpColumns } from '../src/io/columns.js';
import { ControlCounter, warnControls } from '../src/io/controls.js';
import { formatOf, sniffFormat } from '../src/io/sniff.js';
import { FIXTURES, REPORTS, tmp } from './helpers.js';

/** Whole reports as records, the streaming reader's shape. */
const recordsOf = (r: Reports): ReportRecord[] =>
  r.ids.map((id, i) => (r.errors?.[i] !== undefined ? { id, text: r.texts[i], error: r.errors[i] } : { id, text: r.texts[i] }));

async function gather(records: AsyncIterable<ReportRecord>): Promise<ReportRecord[]> {
  const out: ReportRecord[] = [];
  for await (const r of records) out.push(r.error === undefined ? { id: r.id, text: r.text } : r);
  return out;
}

/** A folder with a bit of every case: formats side by side, control characters, a binary file, a hidden file, the study's counts. */
function mixedFolder(): string {
  const dir = join(tmp(), 'mixed');
  mkdirSync(join(dir, 'nested', 'deeper'), { recursive: true });
  writeFileSync(
    join(dir, 'a.csv'),
    'id,text\n' + Array.from({ length: 10 }, (_, i) => `r${i},"crash\u0000 number ${i}"`).join('\n') + '\n',
  );
  writeFileSync(join(dir, 'b.jsonl'), '{"iid": 1, "title": "hang"}\nnot json\n\n{"iid": 3}\n');
  writeFileSync(join(dir, 'c.json'), '[{"number": 7, "title": "boot", "body": "fails"}]');
  writeFileSync(join(dir, 'nested', 'deeper', 'd.txt'), 'boot: 0.91\nnetwork: 0.05\n\nGuest \u001b[1mhangs\n');
  writeFileSync(join(dir, 'binary.bin'), Buffer.alloc(64, 1));
  writeFileSync(join(dir, 'broken.json'), '[{"number": ');
  writeFileSync(join(dir, '.hidden'), 'not a report');
  writeFileSync(join(dir, 'categories.csv'), 'category, count\nboot, 1\n');
  return dir;
}

describe('the whole-input and the streaming reader give the same records', () => {
  const inputs: [string, () => string][] = [
    ['CSV', () => REPORTS],
    ['JSON (GitHub)', () => join(FIXTURES, 'issues', 'github.json')],
    ['JSON Lines (GitLab)', () => join(FIXTURES, 'issues', 'gitlab.jsonl')],
    ['a text file', () => join(FIXTURES, 'zero-shot', 'boot', '201')],
    ['a folder in the study layout', () => join(FIXTURES, 'study')],
    ['a folder of zero-shot runs', () => join(FIXTURES, 'zero-shot')],
    ['a folder of every format, with failures', mixedFolder],
  ];
  it.each(inputs)('%s', async (_, pathOf) => {
    const path = pathOf();
    const wholeLog: string[] = [];
    const streamLog: string[] = [];
    const whole = recordsOf(readAllReports([path], { onWarning: (m) => wholeLog.push(m) }));
    const streamed = await gather(streamReports([path], { onWarning: (m) => streamLog.push(m) }));
    expect(streamed).toEqual(whole);
    expect(whole.length).toBeGreaterThan(0);
    // The warnings too, but for the JSON Lines one: read whole, it names the records it could not use.
    const same = (log: string[]) => log.map((m) => m.replace(/ could not be used \(.*\)$/, ' could not be used'));
    expect(same(streamLog)).toEqual(same(wholeLog));
  });

  it('a folder of every format: what fails, fails alone and is said once', async () => {
    const log: string[] = [];
    const records = await gather(streamReports([mixedFolder()], { onWarning: (m) => log.push(m) }));
    expect(records.filter((r) => r.error).map((r) => r.id)).toEqual(['line 2', '3', 'binary.bin', 'broken.json']);
    // A text file's report is named by its base name (issue 26), as the study names its reports.
    expect(records.find((r) => r.id === 'd.txt')?.text).toBe('\nGuest \u001b[1mhangs\n');
    expect(log.filter((m) => m.startsWith('skipped'))).toEqual([
      expect.stringMatching(/^skipped 1 hidden file or folder under .*mixed$/),
      "skipped categories.csv: the study's counts, not reports",
    ]);
    expect(log.filter((m) => m.startsWith('warning: removed control characters'))).toEqual([
      'warning: removed control characters (NUL bytes, escape codes) from 11 reports: r0 (1), r1 (1), r2 (1), r3 (1), r4 (1), r5 (1), r6 (1), r7 (1), ... 3 more',
    ]);
  });

  it.each([
    ['CSV', readFileSync(REPORTS)],
    ['JSON', readFileSync(join(FIXTURES, 'issues', 'github.json'))],
    ['JSON Lines', readFileSync(join(FIXTURES, 'issues', 'gitlab.jsonl'))],
  ])('bytes on stdin as %s', async (_, bytes) => {
    const whole = recordsOf(parseReports(bytes, 'stdin'));
    const streamed = await gather(
      streamReportBytes(
        (async function* () {
          // In small chunks, so that records straddle them.
          for (let at = 0; at < bytes.length; at += 97) yield bytes.subarray(at, at + 97);
        })(),
        'stdin',
      ),
    );
    expect(streamed).toEqual(whole);
  });

  it('a CSV without its text column is the same ColumnError both ways', async () => {
    const path = join(tmp(), 'no-text.csv');
    writeFileSync(path, 'id,body\n1,hello\n');
    const whole = (() => {
      try {
        readAllReports([path], { textColumn: 'text' });
      } catch (err) {
        return err;
      }
    })();
    const streamed = await gather(streamReports([path])).catch((err: unknown) => err);
    expect(whole).toBeInstanceOf(ColumnError);
    expect(streamed).toBeInstanceOf(ColumnError);
    expect((streamed as Error).message).toBe((whole as Error).message);
    expect((whole as Error).message).toBe(`${path} has no "text" column (columns found: id, body)`);
  });
});

describe('the pieces both readers share', () => {
  it('sniffing: a given format wins, else { is JSON Lines, [ is JSON, anything else CSV; file names say theirs', () => {
    expect(['  {"a":1}', '\n[1]', 'id,text', '', '{x'].map((h) => sniffFormat(h))).toEqual(['jsonl', 'json', 'csv', 'csv', 'jsonl']);
    expect(sniffFormat('{', 'csv')).toBe('csv');
    expect(['a.CSV', 'b.json', 'c.jsonl', 'd.ndjson', 'e.txt', 'f'].map(formatOf)).toEqual([
      'csv',
      'json',
      'jsonl',
      'jsonl',
      'text',
      'text',
    ]);
  });

  it('column lookup: required columns by role, the id column optional, names trimmed', () => {
    const at = lookUpColumns(
      [' id', 'text ', 'label', 'a2', 'fold'],
      { text: 'text', id: 'id', label: 'label', otherLabels: ['a2'], fold: 'fold' },
      'x.csv',
      true,
    );
    expect(at).toEqual({ text: 1, label: 2, id: 0, fold: 4, group: -1, others: [{ name: 'a2', index: 3 }] });
    expect(lookUpColumns(['text'], { text: 'text', id: 'id' }, 'x.csv', false).id).toBe(-1);
    const roleOf = (header: string[], columns: Parameters<typeof lookUpColumns>[1]) => {
      try {
        lookUpColumns(header, columns, 'x.csv', true);
      } catch (err) {
        return (err as ColumnError).role;
      }
    };
    expect(roleOf(['id'], { text: 'text', id: 'id' })).toBe('text');
    expect(roleOf(['text'], { text: 'text', id: 'id', label: 'label' })).toBe('label');
    expect(roleOf(['text', 'label'], { text: 'text', id: 'id', label: 'label', fold: 'fold' })).toBe('fold');
    expect(roleOf(['text', 'label'], { text: 'text', id: 'id', label: 'label', group: 'g' })).toBe('group');
    expect(lookUpColumns(['g', 'text'], { text: 'text', id: 'id', group: 'g' }, 'x.csv', false).group).toBe(0);
    expect(roleOf(['text', 'label'], { text: 'text', id: 'id', label: 'label', secondLabel: 'b' })).toBe('secondLabel');
  });

  it('the control-character warning: one, naming the first eight reports, whole or counted one by one', () => {
    const ids = Array.from({ length: 10 }, (_, i) => `r${i}`);
    const texts = ids.map((_, i) => (i % 2 ? 'clean' : 'a\u0000b\u0007'));
    const whole: string[] = [];
    warnControls(ids, texts, (m) => whole.push(m));
    const counted: string[] = [];
    const counter = new ControlCounter();
    ids.forEach((id, i) => counter.see({ id, text: texts[i] }));
    counter.report((m) => counted.push(m));
    expect(whole).toEqual([
      'warning: removed control characters (NUL bytes, escape codes) from 5 reports: r0 (2), r2 (2), r4 (2), r6 (2), r8 (2)',
    ]);
    expect(counted).toEqual(whole);
  });
});

describe('ids as the study writes them (issue 26)', () => {
  /** box64/100 and fex/100 under one folder, and a lone 7. */
  function clash(): string {
    const dir = join(tmp(), 'clash');
    mkdirSync(join(dir, 'box64'), { recursive: true });
    mkdirSync(join(dir, 'fex'), { recursive: true });
    writeFileSync(join(dir, 'box64', '100'), 'guest hangs at boot');
    writeFileSync(join(dir, 'fex', '100'), 'wrong result of an SSE instruction');
    writeFileSync(join(dir, 'fex', '7'), 'vnc password refused');
    return dir;
  }

  it('a file is named by its base name; ids files share are made distinct by parent folder, said once, in both readers', async () => {
    const dir = clash();
    const log: string[] = [];
    const whole = readAllReports([dir], { onWarning: (m) => log.push(m) });
    expect(whole.ids).toEqual(['box64-100', 'fex-100', '7']);
    expect(whole.warnings).toHaveLength(1);
    expect(whole.warnings![0]).toMatch(/^2 reports shared an id with another report \(100: box64-100, fex-100\)/);
    expect(log.filter((m) => m.includes('shared an id'))).toEqual([`warning: ${whole.warnings![0]}`]);
    expect(whole.idWarnings![0]).toMatch(/the id 100 is shared by 2 reports .*named box64-100 instead/);
    expect(whole.idWarnings![2]).toBeUndefined();
    const streamed: ReportRecord[] = [];
    for await (const r of streamReports([dir])) streamed.push(r);
    expect(streamed.map((r) => r.id)).toEqual(whole.ids);
    expect(streamed.map((r) => r.idWarning)).toEqual(whole.idWarnings);
    // Across two folders given apart, too.
    expect(readAllReports([join(dir, 'box64'), join(dir, 'fex')]).ids).toEqual(['box64-100', 'fex-100', '7']);
  });

  it("idFrom 'path' keeps the path relative to the folder", () => {
    const dir = clash();
    const r = readAllReports([dir], { idFrom: 'path' });
    expect(r.ids).toEqual(['box64/100', 'fex/100', 'fex/7']);
    expect(r.warnings).toBeUndefined();
  });
});
