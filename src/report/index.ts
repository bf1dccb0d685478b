/**
 * The HTML report: a command's results (labelled reports, their predictions, the scores, the
 * model card) drawn as charts and laid out in one self-contained page. Loaded only when a
 * command is asked for a report, since the charting library is large.
 */
import { confusionSpec } from './charts/confusion.js';
import { coverageSpec } from './charts/coverage.js';
import { deferralSpec } from './charts/deferral.js';
import { labelsSpec } from './charts/labels.js';
import { reliabilitySpec } from './charts/reliability.js';
import { scoresSpec } from './charts/scores.js';
import { reportData, type ReportInput } from './data.js';
import { page, type ChartName } from './page.js';
import { render, type Chart } from './render.js';

export type { ReportInput, ReportPrediction, ModelCard } from './data.js';
export type { Chart } from './render.js';
export { CHART_NAMES, OPTIONAL_CHART_NAMES, CONTENT_SECURITY_POLICY } from './page.js';

/** The report: the page's HTML, and each chart as a standalone SVG document (in the page's order). */
export interface Report {
  html: string;
  charts: Chart[];
}

/** Works out, draws and lays out the report of a command's results. */
export async function buildReport(input: ReportInput): Promise<Report> {
  const d = reportData(input);
  const specs = {
    confusion: ['Confusion matrix', confusionSpec(d)],
    scores: ['Scores by category', scoresSpec(d)],
    reliability: ['Reliability diagram', reliabilitySpec(d)],
    coverage: ['Accuracy against coverage', coverageSpec(d)],
    labels: ['Label distributions', labelsSpec(d)],
    // Only when asked for (evaluate --defer-curve).
    ...(input.deferCurve ? { deferral: ['Accuracy against the share deferred', deferralSpec(d)] } : {}),
  } as const;
  const charts = {} as Record<ChartName, Chart>;
  for (const [name, [title, spec]] of Object.entries(specs) as [ChartName, [string, Parameters<typeof render>[2]]][])
    charts[name] = await render(name, title, spec);
  return { html: page(d, charts), charts: Object.values(charts) };
}
export { feedbackPage } from './feedback.js';
export { buildLabelSetReport } from './labelsets.js';
export type { LabelSetReportInput } from './labelsets.js';
