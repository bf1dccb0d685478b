/**
 * A chart's Vega-Lite spec drawn as SVG, in Node, by Vega's own SVG renderer: no browser, no
 * script in the page. Vega marks each mark with an `aria-label`; this adds what its string
 * renderer leaves out: the chart's accessible name (`<title>`, `<desc>`, `aria-label`), a
 * hover tooltip per mark (an SVG `<title>` in place of the mark's label) and shorter numbers.
 */
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { textWidth } from './textwidth.js';

/** Vega's text measurer: exported by vega-scenegraph (through vega), missing from vega's typings. */
interface TextMetrics {
  width: (item: { fontSize?: number; fontWeight?: string | number }, text?: string) => number;
}

// Lay text out by measured font widths rather than Vega's rough estimate (see textwidth.ts).
(vega as unknown as { textMetrics: TextMetrics }).textMetrics.width = (item, text) =>
  textWidth(text == null ? '' : String(text).trim(), item.fontSize ?? 11, item.fontWeight === 'bold' || Number(item.fontWeight) >= 600);

/** A chart drawn: its name (a file name, without .svg), title and SVG. */
export interface Chart {
  name: string;
  title: string;
  svg: string;
}

/** Draws `spec` as a standalone SVG document named by `title` and described by the spec's description. */
export async function render(name: string, title: string, spec: TopLevelSpec): Promise<Chart> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return { name, title, svg: accessible(shorten(svg), title, spec.description ?? title) };
  } finally {
    view.finalize();
  }
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The chart's name on its root, and each labelled mark's label as its hover tooltip. */
function accessible(svg: string, title: string, description: string): string {
  const root = svg.replace(
    /^<svg ([^>]*)>/,
    (_, attrs: string) =>
      `<svg ${attrs} role="graphics-document document" aria-roledescription="chart" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title><desc>${escapeXml(description)}</desc>`,
  );
  // Marks are empty elements (<path .../>); one with a label gets it as a child <title>, which
  // names it as the label did and shows on hover.
  return root.replace(/<(path|rect|line|circle)( [^>]*?role="graphics-symbol"[^>]*?)\/>/g, (whole, tag: string, attrs: string) => {
    const label = /aria-label="([^"]*)"/.exec(attrs)?.[1];
    return label ? `<${tag}${attrs.replace(/ aria-label="[^"]*"/, '')}><title>${label}</title></${tag}>` : whole;
  });
}

/** Coordinates to two decimals (Vega writes them to 15 or more): a smaller file, the same picture. */
function shorten(svg: string): string {
  return svg.replace(
    / (d|transform|x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g,
    (_, attr: string, value: string) => ` ${attr}="${value.replace(/-?\d+\.\d{3,}/g, (n) => String(Math.round(Number(n) * 100) / 100))}"`,
  );
}
