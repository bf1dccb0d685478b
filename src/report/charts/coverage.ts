/**
 * Accuracy against coverage: keeping only the reports the model is surest of (the rest sent to
 * a person), how accurate the kept ones are, from the surest few to every report. The
 * thresholds that reach the target accuracies are marked with the `--min-confidence` that
 * gives them.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../data.js';
import { fixed2, fixed3, percent } from './format.js';
import { CONFIG, INK } from './theme.js';

/** The coverage chart's Vega-Lite spec. */
export function coverageSpec(d: ReportData): TopLevelSpec {
  const curve = d.curve.map((p) => ({
    ...p,
    tip: `confidence at least ${fixed3(p.threshold)}: ${p.n} reports kept (${percent(p.coverage)}), accuracy ${fixed3(p.accuracy)}`,
  }));
  const marked = d.targets
    .filter((t) => t.threshold !== undefined)
    .map((t) => ({
      ...t,
      label: `${percent(t.target)} accurate: --min-confidence ${fixed2(t.threshold!)}`,
      tip: `target accuracy ${percent(t.target)}: --min-confidence ${fixed2(t.threshold!)} keeps ${t.n} reports (${percent(t.coverage!)}), accuracy ${fixed3(t.accuracy!)}`,
    }));
  const low = Math.min(...d.curve.map((p) => p.accuracy), d.input.evaluation.accuracy);
  const x = {
    type: 'quantitative' as const,
    scale: { domain: [0, 1] },
    title: 'share of reports kept (the rest go to a person)',
    axis: { format: '.0%', tickCount: 10 },
  };
  const y = {
    type: 'quantitative' as const,
    scale: { domain: [Math.max(0, Math.min(0.9, Math.floor(low * 10) / 10)), 1] },
    title: 'accuracy on the kept reports',
  };
  return {
    config: CONFIG,
    description: `Accuracy against coverage: from the most confident reports to all ${d.input.evaluation.n}, with the confidence thresholds that reach ${marked.length} target accuracies.`,
    title: {
      text: 'Accuracy against coverage',
      subtitle: [
        `Keep only the reports the model is surest of: accuracy ${fixed3(d.input.evaluation.accuracy)} with all of them.`,
        `Marked: the --min-confidence that reaches a target accuracy (with ${d.minKept} or more reports kept).`,
      ],
    },
    width: 380,
    height: 300,
    layer: [
      {
        data: { values: curve },
        mark: { type: 'line', color: INK, strokeWidth: 2, interpolate: 'step-after' },
        encoding: {
          x: { field: 'coverage', ...x },
          y: { field: 'accuracy', ...y },
          description: { value: 'accuracy against the share of reports kept' },
        },
      },
      {
        data: { values: marked },
        mark: { type: 'point', shape: 'diamond', filled: true, size: 90, color: '#c0392b', opacity: 1 },
        encoding: {
          x: { field: 'coverage', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
          description: { field: 'tip' },
        },
      },
      {
        data: { values: marked },
        mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 11, color: '#222', aria: false },
        encoding: {
          x: { field: 'coverage', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
          text: { field: 'label' },
        },
      },
    ],
  };
}
