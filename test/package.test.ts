/**
 * The package as a user installs it: `npm pack` the project, install the tarball into a fresh
 * project (no optional dependencies: @tensorflow/tfjs-node downloads libtensorflow, which an
 * offline machine cannot), then use it from there, as JavaScript (import, train, save, load,
 * predict) and as TypeScript (the published declarations type-check a typed caller under
 * `nodenext` and `strict`, and are real types, not `any`).
 */
import { existsSync, lstatSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPORTS, ROOT, run, tmp, type Run } from './helpers.js';

/** The temporary folders this file made, removed in afterAll. */
const made: string[] = [];
const mkTmp = (prefix: string) => {
  const dir = tmp(prefix);
  made.push(dir);
  return dir;
};

/** The environment for npm and node children: no update notice, nothing that colours output. */
const env = { ...process.env, npm_config_update_notifier: 'false', NO_COLOR: '1', FORCE_COLOR: '0' };

const show = (what: string, r: Run & { error?: Error }) =>
  `${what} exited ${r.status}${r.error ? ` (${r.error.message})` : ''}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

/**
 * A typed caller of the API. Each `@ts-expect-error` must meet an error, or tsc reports the
 * directive unused (TS2578): so the check fails if the declarations degrade to `any`.
 */
const CONSUMER_TS = `import { train, load, readReports, DEFAULTS, BugcatError, isLabelSet, type Model, type Prediction, type Hyperparameters } from 'bugcat';

export const fast: Partial<Hyperparameters> = { epochs: 10, hidden: 16, batchSize: 4 };

// A loaded model's kind is known at run time: its answers are one label each, or label sets (a multi-label model).
export function classify(model: Model, texts: readonly string[]): Prediction[] {
  return model.predict(texts, { top: 2, minConfidence: 0.5 }).filter((p): p is Prediction => !isLabelSet(p));
}

export function suggested(model: Model, text: string): readonly string[] {
  const [p] = model.predict([text]);
  return p === undefined ? [] : isLabelSet(p) ? p.labels : [p.label];
}

export async function roundTrip(csv: string, dir: string): Promise<string[]> {
  const model = await train(readReports(csv, { labelColumn: 'label' }), { hyperparameters: fast, threads: 1 });
  await model.save(dir, { force: true });
  const again: Model = await load(dir);
  const labels: readonly string[] = again.labels;
  const epochs: number = again.hyperparameters.epochs + DEFAULTS.epochs;
  const first: Prediction | undefined = classify(again, ['virtio-net drops packets'])[0];
  return [...labels, String(epochs), first?.label ?? '', String(first?.confidence.toFixed(2))];
}

export function explain(e: unknown): string {
  if (e instanceof BugcatError) return \`\${e.code} (exit \${e.exitCode}): \${e.problem}\`;
  return String(e);
}

export function wrong(model: Model): void {
  // @ts-expect-error predict takes texts, not numbers
  model.predict([42]);
  // @ts-expect-error a label is a string
  const n: number = model.predict(['x'])[0]!.label;
  // @ts-expect-error no such hyperparameter
  const hp: Partial<Hyperparameters> = { epoch: 10 };
  // @ts-expect-error no such export
  void train.nothing;
  void n;
  void hp;
}
`;

let tarball: string;
let consumer: string;
let installed: string;

beforeAll(async () => {
  const started = Date.now();
  const packDir = mkTmp('bugcat-pack-');
  // `npm test` has just built dist/; `--ignore-scripts` keeps `npm pack` from rebuilding it
  // while other test files run the CLI from it.
  const pack = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', packDir], { cwd: ROOT, env });
  if (pack.status !== 0) throw new Error(show('npm pack', pack));
  const tgz = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
  if (tgz.length !== 1) throw new Error(`npm pack left ${JSON.stringify(tgz)} in ${packDir}\n${show('npm pack', pack)}`);
  tarball = join(packDir, tgz[0]!);

  consumer = mkTmp('bugcat-consumer-');
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }, null, 2));
  const install = await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--omit=optional', tarball], {
    cwd: consumer,
    env,
  });
  if (install.status !== 0) throw new Error(show('npm install', install));
  installed = join(consumer, 'node_modules', 'bugcat');
  console.log(`package.test.ts: pack + install took ${((Date.now() - started) / 1000).toFixed(1)} s`);
}, 300_000);

afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('holds what "files" lists, as a copy (not a link to this checkout), with its entry points', () => {
    expect(lstatSync(installed).isSymbolicLink()).toBe(false);
    expect(realpathSync(installed).startsWith(realpathSync(consumer))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'index.js'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'index.d.ts'))).toBe(true);
    expect(existsSync(join(installed, 'dist', 'cli', 'main.js'))).toBe(true);
    expect(existsSync(join(installed, 'models', 'qemu'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    expect(existsSync(join(installed, 'test'))).toBe(false);
    expect(existsSync(join(installed, 'scripts'))).toBe(false);
    expect(existsSync(join(installed, 'node_modules', '@tensorflow', 'tfjs-node'))).toBe(false);
    expect(existsSync(join(consumer, 'node_modules', '@tensorflow', 'tfjs-node'))).toBe(false);
    const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { name: string; version: string };
    const own = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
    expect(pkg).toMatchObject({ name: own.name, version: own.version });
  });

  it('trains, saves, loads and predicts from a plain JavaScript program, printing nothing but its own output', async () => {
    const modelDir = join(mkTmp('bugcat-consumer-model-'), 'model');
    writeFileSync(
      join(consumer, 'consumer.mjs'),
      `import { train, load, readReports, DEFAULTS } from 'bugcat';

const [csv, dir] = process.argv.slice(2);
const hyperparameters = { ...DEFAULTS, epochs: 10, hidden: 16, batchSize: 4 };
const model = await train(readReports(csv, { labelColumn: 'label' }), { hyperparameters });
await model.save(dir);
const loaded = await load(dir);
const predictions = loaded.predict(['guest hangs at boot with -kernel', 'virtio-net drops packets']);
process.stdout.write(JSON.stringify({ labels: loaded.labels, predictions, resolved: import.meta.resolve('bugcat') }) + '\\n');
`,
    );
    const r = await run(process.execPath, ['consumer.mjs', REPORTS, modelDir], { cwd: consumer, env });
    expect(r.status, show('node consumer.mjs', r)).toBe(0);
    // Valid JSON and nothing else: no banner from TensorFlow.js or any other library on stdout.
    expect(r.stdout.trim().split('\n'), show('node consumer.mjs', r)).toHaveLength(1);
    const out = JSON.parse(r.stdout) as { labels: string[]; predictions: { label: string; confidence: number }[]; resolved: string };
    expect(out.labels).toEqual(['boot', 'graphic', 'network']);
    expect(out.predictions.map((p) => p.label)).toEqual(['boot', 'network']);
    for (const p of out.predictions) expect(p.confidence).toBeGreaterThan(0);
    // The import resolved to the installed copy, not to this checkout.
    expect(out.resolved).toBe(pathToFileURL(join(realpathSync(installed), 'dist', 'index.js')).href);
    expect(existsSync(join(modelDir, 'bugcat.json'))).toBe(true);
  });

  // The public declarations reach no TensorFlow.js type (whose declarations need @types/long)
  // and no Node.js type: `"types": []` checks that, the default `types` that they coexist with
  // every @types package installed.
  it.each([
    { what: 'with "types": [] (no @types/node, no tfjs types)', name: 'tsconfig.bare.json', types: { types: [] } },
    { what: 'with the default types (every @types package installed)', name: 'tsconfig.default.json', types: {} },
  ])('type-checks a strict TypeScript caller (nodenext, no skipLibCheck) $what', async ({ what, name, types }) => {
    writeFileSync(join(consumer, 'consumer.ts'), CONSUMER_TS);
    const tsconfig = join(consumer, name);
    writeFileSync(
      tsconfig,
      JSON.stringify(
        {
          compilerOptions: {
            target: 'es2022',
            module: 'nodenext',
            moduleResolution: 'nodenext',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            ...types,
          },
          files: ['consumer.ts'],
        },
        null,
        2,
      ),
    );
    const r = await run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', tsconfig], { cwd: consumer, env });
    expect(r.stdout + r.stderr, show(`tsc ${what}`, r)).toBe('');
    expect(r.status, show(`tsc ${what}`, r)).toBe(0);
  });
});
