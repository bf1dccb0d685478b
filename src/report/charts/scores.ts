/**
 * Per-category scores: F1 as a bar with its value, precision and recall as two marks of
 * different shapes on the same scale, and beside them each category's support (reports).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../data.js';
import { fixed3 } from './format.js';
import { CONFIG, INK, LIGHT } from './theme.js';

/** The scores' panel width, in pixels. */
const WIDTH = 240;

/** The per-category chart's Vega-Lite spec. */
export function scoresSpec(d: ReportData): TopLevelSpec {
  const band = d.labels.length > 12 ? 20 : 26;
  const height = d.labels.length * band;
  const long = d.categories.flatMap((c) => [
    {
      label: c.label,
      metric: 'precision',
      value: c.precision,
      tip: `${c.label}: precision ${fixed3(c.precision)} (${c.predicted} predicted)`,
    },
    { label: c.label, metric: 'recall', value: c.recall, tip: `${c.label}: recall ${fixed3(c.recall)} (${c.support} reports)` },
  ]);
  const y = { field: 'label', type: 'nominal' as const, sort: d.labels, title: 'category' };
  return {
    config: CONFIG,
    description: `Precision, recall and F1 of each of ${d.labels.length} categories, and how many reports carry each.`,
    title: {
      text: 'Scores by category',
      subtitle: 'Bars and numbers: F1. Marks: precision and recall. Right: reports per category (support).',
    },
    hconcat: [
      {
        width: WIDTH,
        height,
        layer: [
          {
            data: {
              values: d.categories.map((c) => ({
                ...c,
                f1text: fixed3(c.f1),
                tip: `${c.label}: F1 ${fixed3(c.f1)}, precision ${fixed3(c.precision)}, recall ${fixed3(c.recall)}`,
              })),
            },
            mark: { type: 'bar', color: LIGHT, height: { band: 0.7 } },
            encoding: {
              y,
              x: { field: 'f1', type: 'quantitative', scale: { domain: [0, 1] }, title: 'score (0 to 1)' },
              description: { field: 'tip' },
            },
          },
          {
            data: { values: d.categories.map((c) => ({ ...c, f1text: fixed3(c.f1) })) },
            mark: { type: 'text', align: 'left', dx: 4, color: '#222', aria: false },
            encoding: { y, x: { value: WIDTH + 10 }, text: { field: 'f1text' } },
          },
          {
            data: { values: long },
            mark: { type: 'point', filled: true, size: 60, opacity: 1 },
            encoding: {
              y,
              x: { field: 'value', type: 'quantitative' },
              shape: {
                field: 'metric',
                type: 'nominal',
                scale: { domain: ['precision', 'recall'], range: ['circle', 'diamond'] },
                legend: { title: null, orient: 'top' },
              },
              color: {
                field: 'metric',
                type: 'nominal',
                scale: { domain: ['precision', 'recall'], range: [INK, '#c0392b'] },
                legend: { title: null, orient: 'top' },
              },
              description: { field: 'tip' },
            },
          },
        ],
      },
      {
        width: 110,
        height,
        data: { values: d.categories.map((c) => ({ ...c, tip: `${c.label}: ${c.support} reports` })) },
        encoding: { y: { ...y, axis: null } },
        layer: [
          {
            mark: { type: 'bar', color: '#bbbbbb', height: { band: 0.7 } },
            encoding: {
              x: { field: 'support', type: 'quantitative', title: 'reports', axis: { tickCount: 3 } },
              description: { field: 'tip' },
            },
          },
          {
            mark: { type: 'text', align: 'left', dx: 3, color: '#222', aria: false },
            encoding: { x: { field: 'support', type: 'quantitative' }, text: { field: 'support' } },
          },
        ],
      },
    ],
    spacing: 54,
  };
}
