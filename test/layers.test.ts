/**
 * The source tree's layers, checked: a file imports only from its own layer or a lower one;
 * the command line and the scripts go through the public API (src/index.ts) alone.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

/** Lowest first. `api` is the public API's implementation, `index.ts` its entry, `cli` sits on top. */
const LAYERS = ['base', 'nn', 'text', 'model', 'io', 'eval', 'api', 'index', 'serve', 'report', 'cli'];
/** The entry of each layer on top of the library that the command line may import (and no other of its files). */
const ENTRIES: Record<string, string> = { serve: 'serve/server.ts', report: 'report/index.ts' };
/** Siblings that must not import each other (model artifacts and report readers need no metrics, and back). */
const SIBLINGS = [['io', 'eval']];

const SRC = join(ROOT, 'src');
const files = (readdirSync(SRC, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
const layerOf = (file: string) => (file === 'index.ts' ? 'index' : file.split('/')[0]);
/** A file's relative imports: static ones, and dynamic ones (`await import('./x.js')`, how the command line loads what only some commands need). */
const importsOf = (path: string) =>
  [...readFileSync(path, 'utf8').matchAll(/^(?:import|export)[^'"]*?from '(\.[^']+)'|\bimport\('(\.[^']+)'\)/gm)].map((m) => m[1] ?? m[2]);

describe('the source tree shows its layers', () => {
  it('every file sits in a known layer', () => {
    expect(files.map(layerOf).filter((l) => !LAYERS.includes(l))).toEqual([]);
  });

  it('no file imports from a higher layer, nor io and eval from each other', () => {
    const wrong: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const spec of importsOf(join(SRC, file))) {
        const target = relative(SRC, resolve(dirname(join(SRC, file)), spec)).replace(/\.js$/, '.ts');
        const to = layerOf(target);
        const sibling = SIBLINGS.some(([a, b]) => (from === a && to === b) || (from === b && to === a));
        if (LAYERS.indexOf(to) > LAYERS.indexOf(from) || sibling) wrong.push(`${file} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the command line imports the public API only (and its own files, and the entries of the layers on top)', () => {
    const wrong: string[] = [];
    for (const file of files.filter((f) => layerOf(f) === 'cli')) {
      for (const spec of importsOf(join(SRC, file))) {
        const target = relative(SRC, resolve(dirname(join(SRC, file)), spec)).replace(/\.js$/, '.ts');
        if (target !== 'index.ts' && layerOf(target) !== 'cli' && !Object.values(ENTRIES).includes(target))
          wrong.push(`${file} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(Object.keys(ENTRIES))('the layer %s imports the public API only (and its own files)', (layer) => {
    const wrong: string[] = [];
    const own = files.filter((f) => layerOf(f) === layer);
    expect(own).toContain(ENTRIES[layer]);
    for (const file of own) {
      for (const spec of importsOf(join(SRC, file))) {
        const target = relative(SRC, resolve(dirname(join(SRC, file)), spec)).replace(/\.js$/, '.ts');
        if (target !== 'index.ts' && layerOf(target) !== layer) wrong.push(`${file} -> ${target}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the scripts import the public API, never dist/ or src/ files', () => {
    const scripts = readdirSync(join(ROOT, 'scripts')).filter((f) => f.endsWith('.mjs'));
    const wrong = scripts.flatMap((f) =>
      [...readFileSync(join(ROOT, 'scripts', f), 'utf8').matchAll(/(?:from |import\()'([^']+)'/g)]
        .map((m) => m[1])
        .filter((s) => /(^|\/)(dist|src)\//.test(s))
        .map((s) => `${f} -> ${s}`),
    );
    expect(wrong).toEqual([]);
  });
});
