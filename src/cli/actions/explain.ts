import { load, TIE_LOGIT, type Explanation, type TermContribution } from '../../index.js';
import { gatherReports, type InputOptions } from '../input.js';
import { backendOf } from '../options.js';

interface ExplainOptions extends InputOptions {
  model: string;
  format: 'text' | 'json';
  top: number;
  label?: string;
  versus?: string;
}

const FIELD_NAMES: Record<TermContribution['field'], string> = { word: 'word', title: 'title word', char: 'char n-gram' };
const signed = (x: number, digits = 3) => `${x >= 0 ? '+' : '-'}${Math.abs(x).toFixed(digits)}`;

/** One explanation as a person reads it: the two labels, the sum, then the terms each way. */
export function formatExplanation(e: Explanation, id?: string): string {
  const lines: string[] = [];
  const termSum = e.difference - e.bias;
  lines.push(
    `${id ? `${id}: ` : ''}${e.label} ${e.probability.toFixed(3)} ${e.tie ? 'tied with' : 'rather than'} ${e.versus} ${e.versusProbability.toFixed(3)}`,
  );
  lines.push(
    `  logit difference ${e.difference.toFixed(3)} = terms ${signed(termSum)} + bias ${signed(e.bias)}  (logits: ${e.label} ${e.logit.toFixed(3)}, ${e.versus} ${e.versusLogit.toFixed(3)}; ${e.terms} known terms)`,
  );
  if (e.priorShift !== 0)
    lines.push(`  prior correction: ${e.label} outranks ${e.versus} when the difference exceeds ${e.priorShift.toFixed(3)}`);
  if (e.tie)
    lines.push(
      `  a tie: the margin ${signed(e.difference - e.priorShift)} is under ${TIE_LOGIT} in logit units (odds within ${Math.round(100 * (Math.exp(TIE_LOGIT) - 1))} % of even): the model cannot tell ${e.label} from ${e.versus} on this report: the terms below pull both ways about equally`,
    );
  const width = Math.max(12, ...[...e.toward, ...e.against].map((c) => JSON.stringify(c.term).length));
  const row = (c: TermContribution) =>
    `    ${signed(c.contribution).padStart(7)}  ${JSON.stringify(c.term).padEnd(width)}  ${FIELD_NAMES[c.field]}`;
  lines.push(`  toward ${e.label}:`);
  lines.push(...(e.toward.length ? e.toward.map(row) : ['    (no term)']));
  lines.push(`  toward ${e.versus}:`);
  lines.push(...(e.against.length ? e.against.map(row) : ['    (no term)']));
  if (e.rest.terms) lines.push(`  the other ${e.rest.terms} term${e.rest.terms === 1 ? '' : 's'}: ${signed(e.rest.contribution)}`);
  return lines.join('\n') + '\n';
}

export async function explain(args: string[], o: ExplainOptions): Promise<void> {
  const { reports, showIds } = await gatherReports(args, o, 'explain');
  const model = await load(o.model, backendOf());
  const explanations = reports.texts.map((text) => model.explain(text, { top: o.top, label: o.label, versus: o.versus }));
  if (o.format === 'json') {
    // Unrounded, so that the contributions add up to the difference as the help says.
    process.stdout.write(
      JSON.stringify(
        explanations.map((e, i) => ({ id: reports.ids[i], ...e, tieThreshold: TIE_LOGIT })),
        null,
        2,
      ) + '\n',
    );
    return;
  }
  process.stdout.write(
    explanations.map((e, i) => formatExplanation(e, showIds || reports.ids.length > 1 ? reports.ids[i] : undefined)).join('\n'),
  );
}
