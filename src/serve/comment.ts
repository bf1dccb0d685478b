/**
 * The one comment the bot posts on an issue (with --comment): the labels it suggests and the
 * terms of the issue that weighed most toward each (Model.explain), and the past issues most
 * like it as possible duplicates, for a person to judge: the bot never closes anything.
 */
import type { Explanation, Suggestion } from '../index.js';

/** A past issue like this one. */
export interface SimilarIssue {
  id: string;
  labels: string[];
  similarity: number;
}

/** What every comment of the bot holds (hidden in the rendered page): how the bot finds its own comment on an issue. */
export const COMMENT_MARKER = '<!-- bugcat:';

/** The marker that ends every comment of the bot: which delivery posted it. */
export const commentMarker = (delivery: string) => `${COMMENT_MARKER}${delivery} -->`;

const code = (s: string) => `\`${s.replace(/`/g, "'").trim()}\``;

/** The comment's markdown, which GitLab and GitHub both render. */
export function commentText(
  tracker: 'gitlab' | 'github',
  delivery: string,
  suggestions: readonly { suggestion: Suggestion; applied: boolean; explanation?: Explanation }[],
  similar: readonly SimilarIssue[] = [],
  dry = false,
): string {
  const lines: string[] = [];
  const verb = dry ? 'would add' : 'added';
  if (suggestions.length > 0) lines.push(`**bugcat** suggests ${suggestions.length === 1 ? 'this label' : 'these labels'}:`, '');
  for (const { suggestion, applied, explanation } of suggestions) {
    // Words only (a character n-gram reads as noise to a person); a word counts in the body and in the title line: named once.
    const terms = [
      ...new Set((explanation?.toward ?? []).filter((t) => t.contribution > 0 && t.field !== 'char').map((t) => t.term.trim())),
    ]
      .slice(0, 5)
      .map(code);
    const why = terms.length > 0 ? `; the words that weighed most: ${terms.join(', ')}` : '';
    lines.push(
      `- ${tracker === 'gitlab' ? `~"${suggestion.label}"` : code(suggestion.label)} (${Number.isFinite(suggestion.probability) ? suggestion.probability.toFixed(2) : '?'})${applied ? ` (${verb})` : ''}${why}`,
    );
  }
  if (similar.length > 0) {
    if (lines.length > 0) lines.push('');
    lines.push('Possibly the same as (for a person to judge; bugcat closes nothing):', '');
    // A training report named by a number is an issue of this tracker: #N links to it.
    for (const s of similar)
      lines.push(
        `- ${/^\d+$/.test(s.id) ? `#${s.id}` : code(s.id)}${s.labels.length ? ` (${s.labels.join(', ')})` : ''}, similarity ${s.similarity.toFixed(2)}`,
      );
  }
  if (suggestions.length > 0) lines.push('', 'Remove a label bugcat added and it will not add it again.');
  lines.push('', commentMarker(delivery));
  return lines.join('\n');
}
