/**
 * A tracker's labels of an issue, and the one label bugcat's single-label model takes from them.
 * GitLab's labels are a list (`["Networking", "workflow::Needs Info"]`); GitHub's a list of
 * objects with a `name`. The whole list is kept on the report for later (multi-label) use; the
 * report's label is the one label left once GitLab's scoped labels (`key::value`: workflow,
 * kind, Closed, Stable, which say where the issue stands, not what it is about) are set aside,
 * and none when no label or several are left (which of several is meant, a tracker does not say).
 */

/** The labels of an issue's `labels` field (strings, or objects with a string `name`); undefined when it has no such list. */
export function issueLabels(value: unknown): string[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .map((l: unknown) =>
      typeof l === 'string'
        ? l
        : l && typeof l === 'object' && typeof (l as { name?: unknown }).name === 'string'
          ? (l as { name: string }).name
          : '',
    )
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** A scoped label (`workflow::Triaged`): where the issue stands, not what it is about. */
export const isScoped = (label: string): boolean => label.includes('::');

/** The single label of an issue's labels: the one left once scoped labels are set aside, or '' (no usable label). */
export function singleLabel(labels: readonly string[]): string {
  const topical = labels.filter((l) => !isScoped(l));
  return topical.length === 1 ? topical[0] : '';
}
