/**
 * The confusion matrix as a heatmap: one row per true category, one column per predicted one,
 * each cell's colour its share of the row (rows sum to 100 %), its number the reports in it;
 * the diagonal (right answers) outlined. Hovering a cell names it in words.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ReportData } from '../data.js';
import { percent } from './format.js';
import { CONFIG } from './theme.js';

/** An empty cell's fill. */
const EMPTY = '#f4f6f8';
/** From almost white to dark blue (ColorBrewer's Blues), so that rare confusions stay light. */
const BLUES = ['#f7fbff', '#c6dbef', '#6baed6', '#2171b5', '#08306b'];

/** The heatmap's Vega-Lite spec. */
export function confusionSpec(d: ReportData): TopLevelSpec {
  const n = d.labels.length;
  const cell = n > 12 ? 28 : 34;
  const rowName = (c: { truth: string; support: number }) => `${c.truth} (${c.support})`;
  const rows = d.labels.map((l) => rowName(d.confusion.find((c) => c.truth === l)!));
  const values = d.confusion.map((c) => ({
    ...c,
    row: rowName(c),
    tip: `true ${c.truth}, predicted ${c.predicted}: ${c.count} of ${c.support} reports (${percent(c.share)})`,
  }));
  return {
    config: CONFIG,
    description: `Confusion matrix of ${n} categories: rows are true categories, columns predicted ones; colour is the share of the row, numbers are report counts.`,
    title: {
      text: 'Confusion matrix',
      subtitle: [
        'Colour: share of the true category’s reports (each row sums to 100 %).',
        'Numbers: reports; empty cells: none. Outlined: right answers.',
      ],
    },
    data: { values },
    width: n * cell,
    height: n * cell,
    encoding: {
      x: {
        field: 'predicted',
        type: 'nominal',
        sort: d.labels,
        title: 'predicted category',
        axis: { labelAngle: -45, labelAlign: 'right', ticks: false, domain: false },
      },
      y: { field: 'row', type: 'nominal', sort: rows, title: 'true category (its reports)', axis: { ticks: false, domain: false } },
    },
    layer: [
      {
        // Empty cells: drawn, but not named one by one (a reader hears the non-empty ones).
        transform: [{ filter: 'datum.count === 0' }],
        mark: { type: 'rect', fill: EMPTY, stroke: '#fff', strokeWidth: 1, aria: false },
      },
      {
        transform: [{ filter: 'datum.count > 0' }],
        mark: { type: 'rect', stroke: '#fff', strokeWidth: 1 },
        encoding: {
          color: {
            field: 'share',
            type: 'quantitative',
            scale: { domain: [0, 1], range: BLUES },
            legend: { title: 'share of row', format: '.0%', gradientLength: Math.min(200, n * cell) },
          },
          description: { field: 'tip' },
        },
      },
      {
        transform: [{ filter: 'datum.truth === datum.predicted' }],
        mark: { type: 'rect', fill: null, stroke: '#222', strokeWidth: 1.5, aria: false },
      },
      {
        transform: [{ filter: 'datum.count > 0' }],
        mark: { type: 'text', fontSize: cell > 30 ? 12 : 10, aria: false },
        encoding: {
          text: { field: 'count' },
          color: { condition: { test: 'datum.share > 0.5', value: 'white' }, value: '#111' },
        },
      },
    ],
  };
}
