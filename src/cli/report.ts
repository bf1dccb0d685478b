/**
 * --html FILE and --svg DIR of evaluate and cv: the report built (src/report/, with its
 * charting library, imported here only when one of them is given) and written.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DataError, type Model } from '../index.js';
import { writeResult } from './options.js';
import type { LabelSetReportInput, ReportInput } from '../report/index.js';

/** Where the report goes: an HTML page, a folder of SVG charts, or both. */
export interface ReportTargets {
  html?: string;
  svg?: string;
}

/** Writes a built report: the page to `html`, each chart to `svg`/NAME.svg. */
function writePages(report: { html: string; charts: readonly { name: string; svg: string }[] }, o: ReportTargets): void {
  if (o.html) writeResult(o.html, report.html);
  if (o.svg) {
    try {
      mkdirSync(o.svg, { recursive: true });
    } catch (err) {
      throw new DataError(`cannot make folder ${o.svg}: ${(err as Error).message}`);
    }
    for (const chart of report.charts) writeResult(join(o.svg, `${chart.name}.svg`), chart.svg);
  }
}

/** True if the user asked for a report. */
export const wantsReport = (o: ReportTargets): boolean => Boolean(o.html || o.svg);

/** Builds the report and writes the page to `html` and each chart to `svg`/NAME.svg. */
export async function writeReport(input: ReportInput, o: ReportTargets): Promise<void> {
  const { buildReport } = await import('../report/index.js');
  writePages(await buildReport(input), o);
}

/** How many terms explain each confident error. */
const TERMS = 5;

/** The report's hook for explanations: the terms that pushed each text most toward its predicted label. */
export function termsOf(model: Model): (texts: string[]) => string[][] {
  return (texts) =>
    texts.map((text) =>
      model
        .explain(text, { top: TERMS })
        .toward.map((t) => (t.field === 'word' ? t.term : t.field === 'title' ? `title: ${t.term}` : `“${t.term.replace(/ /g, '␣')}”`)),
    );
}

/** --html and --svg of a multi-label evaluation or cross-validation: the page of report/labelsets.ts. */
export async function writeLabelSetReport(input: LabelSetReportInput, o: ReportTargets): Promise<void> {
  const { buildLabelSetReport } = await import('../report/index.js');
  writePages(await buildLabelSetReport(input), o);
}
