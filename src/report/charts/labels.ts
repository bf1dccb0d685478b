/**
 * The label distributions side by side: each category's share of the training data (where
 * known), of the scored reports and of the predictions, with its count printed on the bar, so
 * that a category the model over- or under-predicts shows at a glance.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../data.js';
import { percent } from './format.js';
import { CONFIG, INK } from './theme.js';

/** The label distributions' Vega-Lite spec. */
export function labelsSpec(d: ReportData): TopLevelSpec {
  const band = d.labels.length > 12 ? 18 : 24;
  const values = d.distribution.map((r) => ({
    ...r,
    text: `${r.count} (${percent(r.share)})`,
    tip: `${r.source}: ${r.label} ${r.count} reports, ${percent(r.share)}`,
  }));
  return {
    config: CONFIG,
    description: `Share of each category in the ${d.sources.join(', ')}.`,
    title: { text: 'Labels', subtitle: `Share of each category in the ${d.sources.join(', the ')}; printed: reports (share).` },
    data: { values },
    facet: { column: { field: 'source', type: 'nominal', sort: d.sources, title: null } },
    spec: {
      width: 170,
      height: d.labels.length * band,
      encoding: {
        y: { field: 'label', type: 'nominal', sort: d.labels, title: 'category' },
        x: { field: 'share', type: 'quantitative', title: 'share of reports', axis: { format: '.0%', tickCount: 3 } },
      },
      layer: [
        { mark: { type: 'bar', color: INK, height: { band: 0.7 } }, encoding: { description: { field: 'tip' } } },
        { mark: { type: 'text', align: 'left', dx: 3, fontSize: 10, color: '#222', aria: false }, encoding: { text: { field: 'text' } } },
      ],
    },
    spacing: 70,
  };
}
