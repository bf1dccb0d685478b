/**
 * The study's issues_toml scrape (one GitLab issue a .toml file) as an input format, read by
 * both readers, with its labels; and a study layout read by the library with its labels by
 * default. Fixtures written by hand in the scrape's form (test/fixtures/toml).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bugcat, FIXTURES, ROOT, tmp } from './helpers.js';
import { writeFileSync } from 'node:fs';

const lib = (await import(join(ROOT, 'dist', 'index.js'))) as typeof import('../src/index.js');
const TOML = join(FIXTURES, 'toml');
const STUDY = join(FIXTURES, 'study');

describe('TOML issues', () => {
  it('reads each file as one report with the text the study builds, its id and its labels', () => {
    const r = lib.readReports(TOML);
    expect(r.ids).toEqual(['41', '42', '43']);
    expect(r.labels).toBeUndefined();
    expect(r.texts[0]).toBe(
      'virtio-net drops packets under load\nDescription of problem:\nThe guest loses packets on a tap interface \\\nonce traffic passes 1 Gbit/s.\n' +
        'Steps to reproduce:\n1. Start a guest with -netdev tap\n2. Run iperf3 against the host\n',
    );
    // Every section "n/a": the title line alone, as the study's issues_text.
    expect(r.texts[1]).toBe('Display flickers on the SDL window\n');
    expect(r.texts[2]).toBe(
      'Guest hangs at boot with -kernel\nDescription of problem:\nThe guest stops after loading the kernel.\nAdditional information:\nWorked in 8.2.\n',
    );
    expect(r.issueLabels).toEqual([['Networking', 'workflow::Triaged'], ['device:graphics', 'kind::Bug', 'Launchpad'], ['Boot']]);
  });

  it('a labelled read takes the one topical label, leaves out the issues with several or none, keeps every list', () => {
    const said: string[] = [];
    const r = lib.readReports(TOML, { labelColumn: 'label', onWarning: (m) => said.push(m) });
    expect(r.ids).toEqual(['41', '43']);
    expect(r.labels).toEqual(['Networking', 'Boot']);
    expect(r.issueLabels).toEqual([['Networking', 'workflow::Triaged'], ['Boot']]);
    expect(said.join('\n')).toMatch(/left out 1 report without a usable label: \(empty\) 1/);
  });

  it('the streaming reader gives the same records (one reader), and predict reads a folder of them', async () => {
    const streamed = [];
    for await (const rec of lib.streamReports(TOML)) streamed.push(rec);
    const whole = lib.readAllReports([TOML]);
    expect(streamed.map((x) => x.id)).toEqual(whole.ids);
    expect(streamed.map((x) => x.text)).toEqual(whole.texts);
    expect(streamed[0].labels).toEqual(['Networking', 'workflow::Triaged']);
    const p = await bugcat(['predict', '--model', join(ROOT, 'models', 'qemu'), '--format', 'jsonl', '--jobs', '1', TOML]);
    expect(p.status, p.stderr).toBe(0);
    expect(
      p.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual(['41', '42', '43']);
  });

  it('a file that is not TOML fails alone in a folder, with the line', async () => {
    const bad = join(tmp(), 'bad.toml');
    writeFileSync(bad, 'id = 1\ntitle = "unclosed\n');
    expect(() => lib.readAllReports([bad])).toThrow(/bad\.toml is not valid TOML \(line 2/);
  });
});

describe('a study layout read by the library', () => {
  it('carries its labels by default, ids as the study names them', () => {
    const r = lib.readReports(STUDY);
    expect(r.ids).toEqual(['201', '202', '301', '302', '101', '102', '103']);
    expect(r.labels).toEqual(['boot', 'boot', 'graphic', 'graphic', 'network', 'network', 'network']);
  });

  it('readAllReports still reads it unlabelled, by file name (by path with idFrom: path)', () => {
    const r = lib.readAllReports([STUDY]);
    expect(r.labels).toBeUndefined();
    // Named by base name, as the study names its reports (issue 26); idFrom 'path' keeps the path.
    expect(r.ids[0]).toBe('201');
    expect(lib.readAllReports([STUDY], { idFrom: 'path' }).ids[0]).toBe(join('output', 'boot', '201'));
  });
});
