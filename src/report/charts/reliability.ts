/**
 * The reliability diagram: for each tenth of confidence, a bar as high as the accuracy of the
 * reports whose confidence falls in it, a dot at their mean confidence, the number of reports
 * above it, and the diagonal a calibrated model would follow. Its title gives the calibration
 * error.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../data.js';
import { fixed2, fixed3 } from './format.js';
import { CONFIG, INK, LIGHT } from './theme.js';

/** The reliability diagram's Vega-Lite spec. */
export function reliabilitySpec(d: ReportData): TopLevelSpec {
  const bins = d.reliability
    .filter((b) => b.n > 0)
    .map((b) => ({
      ...b,
      middle: (b.lower + b.upper) / 2,
      tip: `confidence ${fixed2(b.lower)} to ${fixed2(b.upper)}: ${b.n} reports, accuracy ${fixed3(b.accuracy)}, mean confidence ${fixed3(b.confidence)}`,
    }));
  const ece = fixed3(d.input.evaluation.ece);
  const ticks = { values: [0, 0.2, 0.4, 0.6, 0.8, 1], format: '.1f' };
  const x = { type: 'quantitative' as const, scale: { domain: [0, 1] }, title: 'confidence', axis: ticks };
  const y = { type: 'quantitative' as const, scale: { domain: [0, 1] }, title: 'accuracy', axis: ticks };
  return {
    config: CONFIG,
    description: `Reliability diagram: accuracy against confidence in ${d.reliability.length} confidence bins; expected calibration error ${ece}.`,
    title: {
      text: `Reliability diagram: calibration error (ECE) ${ece}`,
      subtitle: [
        'Bars: accuracy of the reports in each confidence bin (number above: reports).',
        'Dots: their mean confidence. Dashed: a perfectly calibrated model.',
      ],
    },
    width: 300,
    height: 300,
    layer: [
      {
        data: { values: bins },
        mark: { type: 'rect', color: LIGHT, stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: { field: 'lower', ...x },
          x2: { field: 'upper' },
          y: { field: 'accuracy', ...y },
          y2: { datum: 0 },
          description: { field: 'tip' },
        },
      },
      {
        data: {
          values: [
            { c: 0, a: 0 },
            { c: 1, a: 1 },
          ],
        },
        mark: { type: 'line', color: '#666', strokeDash: [5, 4], strokeWidth: 1.5, aria: false },
        encoding: { x: { field: 'c', type: 'quantitative' }, y: { field: 'a', type: 'quantitative' } },
      },
      {
        data: { values: bins },
        mark: { type: 'point', filled: true, color: INK, size: 50, opacity: 1 },
        encoding: {
          x: { field: 'confidence', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative' },
          description: { field: 'tip' },
        },
      },
      {
        data: { values: bins },
        mark: { type: 'text', dy: -10, color: '#222', fontSize: 10, aria: false },
        encoding: { x: { field: 'middle', type: 'quantitative' }, y: { field: 'accuracy', type: 'quantitative' }, text: { field: 'n' } },
      },
    ],
  };
}
