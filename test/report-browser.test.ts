/**
 * The HTML report in a real browser: Debian's Chromium, headless, driven by playwright-core
 * (which downloads no browser of its own). The page must open without a console error and
 * without a single request beyond its own file, draw every chart (marks present, pixels not
 * blank), and look like something: a full-page screenshot is saved for people to look at.
 *
 *   npm run build && npx vitest run test/report-browser.test.ts
 *
 * writes artifacts/report-evaluate.png and artifacts/report-cv.png (BUGCAT_ARTIFACTS to put them
 * elsewhere). Without a browser (apt-get install -y chromium, or CHROMIUM=path) it skips, saying so.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bugcat, FAST, ROOT } from './helpers.js';
import { reportFixture, type ReportFixture } from './report-helpers.js';

const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const ARTIFACTS = process.env.BUGCAT_ARTIFACTS || join(ROOT, 'artifacts');
const CHARTS = ['confusion', 'scores', 'reliability', 'coverage', 'labels'];

let browser: Browser | undefined;
/** Why the browser tests cannot run here, if they cannot. */
let unavailable: string | undefined = existsSync(EXECUTABLE)
  ? undefined
  : `no browser at ${EXECUTABLE} (apt-get install -y chromium, or set CHROMIUM)`;
let fx: ReportFixture;

beforeAll(async () => {
  if (!unavailable) {
    try {
      browser = await chromium.launch({ executablePath: EXECUTABLE });
    } catch (err) {
      unavailable = `${EXECUTABLE} does not start: ${(err as Error).message.split('\n')[0]}`;
    }
  }
  if (unavailable) {
    process.stderr.write(`report-browser.test.ts: SKIPPED, cannot run a browser: ${unavailable}\n`);
    return;
  }
  fx = await reportFixture();
});

afterAll(async () => {
  await browser?.close();
});

/** What happened while a page opened: console errors, uncaught exceptions, and every request but the page's own. */
interface Visit {
  page: Page;
  errors: string[];
  requests: string[];
}

/** Opens `file` in a fresh context where every request except the file itself is recorded and refused. */
async function visit(file: string): Promise<Visit> {
  const url = pathToFileURL(file).href;
  const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1, offline: true });
  const errors: string[] = [];
  const requests: string[] = [];
  await context.route('**/*', (route) => {
    if (route.request().url() === url) return route.continue();
    if (!requests.includes(route.request().url())) requests.push(route.request().url());
    return route.abort();
  });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('request', (r) => {
    if (r.url() !== url && !requests.includes(r.url())) requests.push(r.url());
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, errors, requests };
}

/** How many distinct colours a PNG holds, and the share of its pixels that are not its most common colour. */
function pixels(png: Buffer): { colours: number; inked: number } {
  const { data } = PNG.sync.read(png);
  const counts = new Map<number, number>();
  for (let i = 0; i < data.length; i += 4) {
    const key = data.readUInt32BE(i);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const total = data.length / 4;
  return { colours: counts.size, inked: 1 - Math.max(...counts.values()) / total };
}

/** The checks every report page must pass in the browser; saves its screenshot as NAME.png. */
async function checkPage(file: string, name: string): Promise<void> {
  const { page, errors, requests } = await visit(file);
  try {
    expect(errors).toEqual([]);
    expect(requests).toEqual([]);
    // Every chart is there, has an accessible name, and holds drawn marks of a real size.
    const charts = await page.$$eval('figure.chart', (figures) =>
      figures.map((f) => {
        const svg = f.querySelector('svg')!;
        const box = svg.getBoundingClientRect();
        const marks = [...svg.querySelectorAll('g.role-mark > *')].filter((m) => {
          const r = (m as SVGGraphicsElement).getBoundingClientRect();
          return r.width > 0 || r.height > 0;
        });
        return {
          name: f.getAttribute('data-chart'),
          label: svg.getAttribute('aria-label'),
          title: svg.querySelector(':scope > title')?.textContent,
          width: box.width,
          height: box.height,
          marks: marks.length,
        };
      }),
    );
    expect(charts.map((c) => c.name)).toEqual(CHARTS);
    for (const c of charts) {
      expect(c.label, c.name!).toBeTruthy();
      expect(c.title, c.name!).toBe(c.label);
      expect(c.width, c.name!).toBeGreaterThan(150);
      expect(c.height, c.name!).toBeGreaterThan(100);
      expect(c.marks, c.name!).toBeGreaterThan(0);
    }
    // Each chart, as drawn, is a picture: many colours, a fair share of ink.
    for (const chart of CHARTS) {
      const shot = pixels(await page.locator(`#chart-${chart} svg`).screenshot());
      expect(shot.colours, chart).toBeGreaterThan(8);
      expect(shot.inked, chart).toBeGreaterThan(0.03);
    }
    const full = await page.screenshot({ fullPage: true });
    const shot = pixels(full);
    expect(shot.colours).toBeGreaterThan(50);
    expect(shot.inked).toBeGreaterThan(0.1);
    mkdirSync(ARTIFACTS, { recursive: true });
    const path = join(ARTIFACTS, `${name}.png`);
    writeFileSync(path, full);
    const size = readFileSync(file).length;
    process.stderr.write(
      `report-browser.test.ts: ${name}: ${size} bytes, ${charts.length} charts (${charts.map((c) => `${c.name} ${c.marks} marks`).join(', ')}), no console error, no request; screenshot ${path} (${shot.colours} colours)\n`,
    );
  } finally {
    await page.context().close();
  }
}

describe('the report in headless Chromium', () => {
  it(`evaluate --html opens offline, without errors, every chart drawn${unavailable ? ` (skipped: ${unavailable})` : ''}`, async (ctx) => {
    if (unavailable) return ctx.skip();
    const out = join(fx.dir, 'evaluate.html');
    const r = await bugcat(['evaluate', '--model', fx.model, '--data', fx.data, '--html', out]);
    expect(r.status).toBe(0);
    await checkPage(out, 'report-evaluate');
  });

  it(`cv --html opens offline, without errors, every chart drawn${unavailable ? ` (skipped: ${unavailable})` : ''}`, async (ctx) => {
    if (unavailable) return ctx.skip();
    const out = join(fx.dir, 'cv.html');
    const r = await bugcat(['cv', '--data', fx.data, '--folds', '3', ...FAST, '--html', out]);
    expect(r.status).toBe(0);
    await checkPage(out, 'report-cv');
  });

  it(`the checks catch a page that breaks the rules${unavailable ? ` (skipped: ${unavailable})` : ''}`, async (ctx) => {
    if (unavailable) return ctx.skip();
    const out = join(fx.dir, 'evaluate.html');
    if (!existsSync(out)) expect((await bugcat(['evaluate', '--model', fx.model, '--data', fx.data, '--html', out])).status).toBe(0);
    const page = readFileSync(out, 'utf8');
    // An image from elsewhere: the page's own policy refuses it, and says so on the console.
    const fetching = join(fx.dir, 'fetching.html');
    writeFileSync(fetching, page.replace('</main>', '<img src="http://example.invalid/x.png" alt=""></main>'));
    const a = await visit(fetching);
    expect(a.errors.join('\n')).toMatch(/Content Security Policy/);
    await a.page.context().close();
    // Without the policy, the request goes out: the route refuses and records it.
    const open = join(fx.dir, 'open.html');
    writeFileSync(
      open,
      page
        .replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '')
        .replace('</main>', '<img src="http://example.invalid/x.png" alt=""></main>'),
    );
    const b = await visit(open);
    expect(b.requests).toEqual(['http://example.invalid/x.png']);
    await b.page.context().close();
  });
});
