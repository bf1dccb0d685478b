/**
 * The charts' common look, as Vega-Lite configuration: one font and size for all text, dark
 * text on white, axis titles always shown, and colour schemes that read in grey too (every
 * chart also prints its values or uses shapes, so colour is never the only cue).
 */
import type { Config } from 'vega-lite';

/** The font stack of the page (which also sets it on the charts' text). */
export const FONT = 'system-ui, "DejaVu Sans", "Liberation Sans", Arial, sans-serif';

/** Vega-Lite config shared by every chart. */
export const CONFIG: Config = {
  // Written on every text element: kept short (the page sets its own font on the charts).
  font: 'sans-serif',
  background: 'white',
  padding: 8,
  view: { stroke: null },
  title: { fontSize: 14, fontWeight: 'bold', anchor: 'start', offset: 10, subtitleFontSize: 12, subtitleColor: '#444' },
  axis: {
    labelFontSize: 11,
    titleFontSize: 12,
    titleFontWeight: 'bold',
    labelColor: '#222',
    titleColor: '#222',
    domainColor: '#888',
    tickColor: '#888',
    gridColor: '#e6e6e6',
  },
  legend: { labelFontSize: 11, titleFontSize: 12, titleColor: '#222', labelColor: '#222' },
  header: { labelFontSize: 12, labelFontWeight: 'bold', titleFontSize: 12 },
  text: { fontSize: 11 },
};

/** Ink for marks drawn in one colour. */
export const INK = '#3465a4';
/** A second, lighter ink. */
export const LIGHT = '#9fbfe3';
