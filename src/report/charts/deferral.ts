/**
 * The cascade's curve (evaluate --defer-curve): deferring the least sure share of the reports to
 * an LLM (or to the annotator whose labels answer them), how accurate all the answers are, so that
 * a user can pick `predict --defer-share` for the accuracy they need.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../data.js';
import { fixed3, percent } from './format.js';
import { CONFIG, INK } from './theme.js';

/** The deferral chart's Vega-Lite spec (the report has one only when asked for it). */
export function deferralSpec(d: ReportData): TopLevelSpec {
  const curve = d.input.deferCurve!;
  const points = curve.points.map((p) => ({
    share: p.share,
    accuracy: p.accuracy,
    kept: p.keptAccuracy,
    tip: `--defer-share ${p.share}: ${p.deferred} reports deferred, accuracy of all answers ${fixed3(p.accuracy)}, of the model's own ${Number.isNaN(p.keptAccuracy) ? '-' : fixed3(p.keptAccuracy)}`,
  }));
  const low = Math.min(...points.map((p) => p.accuracy), ...points.map((p) => p.kept).filter((x) => !Number.isNaN(x)));
  return {
    config: CONFIG,
    description: `Accuracy of all the answers against the share of reports deferred to ${curve.by}, from 0 to ${percent(points.at(-1)?.share ?? 0)}.`,
    title: {
      text: 'Accuracy against the share deferred',
      subtitle: [`The least sure reports answered by ${curve.by}, the rest by the model (predict --defer-share).`],
    },
    width: 380,
    height: 300,
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', color: INK, strokeWidth: 2, point: { filled: true, size: 40, color: INK } },
        encoding: {
          x: { field: 'share', type: 'quantitative', title: 'share of reports deferred (--defer-share)', axis: { format: '.0%' } },
          y: {
            field: 'accuracy',
            type: 'quantitative',
            title: 'accuracy of all the answers',
            scale: { domain: [Math.max(0, Math.floor(low * 10) / 10), 1] },
          },
          tooltip: { field: 'tip' },
          description: { field: 'tip' },
        },
      },
    ],
  };
}
