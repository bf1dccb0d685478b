/**
 * What the bot reads of a webhook delivery, beyond the text the service classifies: which issue
 * (tracker, project, number), its author, the labels it carries, and the label changes a person
 * made (GitLab's `changes.labels` of an Issue Hook, GitHub's `labeled` and `unlabeled` actions).
 * Read leniently: a field a tracker leaves out is unknown, never a refusal.
 */
import type { IssueRef } from '../index.js';

type Json = Record<string, unknown>;
const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);

/** A delivery as the bot sees it. */
export interface IssueEvent extends IssueRef {
  action: string;
  /** Who opened the issue, where the payload says (GitHub's issue.user; GitLab's user of an `open`). */
  author?: string;
  /** Who made this change. */
  by?: string;
  /** The labels the issue carries, if the payload lists them. */
  labels?: string[];
  /** When it happened on the tracker (the issue's updated_at), if the payload says. */
  happened?: string;
  /** Labels a change added and removed (empty when the delivery changed none). */
  added: string[];
  removed: string[];
}

/** Label names of a list of label objects (`title` on GitLab, `name` on GitHub); undefined if it is not a list. */
function names(list: unknown, key: 'title' | 'name'): string[] | undefined {
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((l) => (isObject(l) && typeof l[key] === 'string' ? [l[key] as string] : []));
}

/** A tracker's time as ISO 8601 (GitLab writes "2024-01-02 10:00:00 UTC" in older hooks), undefined if it is not one. */
function timeOf(x: unknown): string | undefined {
  if (typeof x !== 'string') return undefined;
  const t = Date.parse(x.replace(/ UTC$/, 'Z').replace(/^(\d{4}-\d\d-\d\d) /, '$1T'));
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

/** The bot's view of a GitLab Issue Hook delivery; undefined without a project or issue number. */
export function gitlabEvent(payload: Json): IssueEvent | undefined {
  const attributes = isObject(payload.object_attributes) ? payload.object_attributes : {};
  const project = isObject(payload.project) ? (payload.project.id ?? payload.project.path_with_namespace) : undefined;
  const issue = attributes.iid;
  if ((typeof project !== 'number' && typeof project !== 'string') || typeof issue !== 'number') return undefined;
  const action = str(attributes.action) ?? 'open';
  const by = isObject(payload.user) ? str(payload.user.username) : undefined;
  const change = isObject(payload.changes) && isObject(payload.changes.labels) ? payload.changes.labels : undefined;
  const previous = names(change?.previous, 'title') ?? [];
  const current = names(change?.current, 'title');
  const labels = current ?? names(payload.labels, 'title') ?? names(attributes.labels, 'title');
  return {
    tracker: 'gitlab',
    project: String(project),
    issue,
    action,
    author: action === 'open' ? by : undefined,
    by,
    labels,
    happened: timeOf(attributes.updated_at) ?? timeOf(attributes.created_at),
    added: current ? current.filter((l) => !previous.includes(l)) : [],
    removed: current ? previous.filter((l) => !current.includes(l)) : [],
  };
}

/** The bot's view of a GitHub `issues` delivery; undefined without a repository or issue number. */
export function githubEvent(payload: Json): IssueEvent | undefined {
  const issue = isObject(payload.issue) ? payload.issue : undefined;
  const project = isObject(payload.repository) ? str(payload.repository.full_name) : undefined;
  if (!issue || project === undefined || typeof issue.number !== 'number') return undefined;
  const action = str(payload.action) ?? '';
  const label = isObject(payload.label) ? str(payload.label.name) : undefined;
  return {
    tracker: 'github',
    project,
    issue: issue.number,
    action,
    author: isObject(issue.user) ? str(issue.user.login) : undefined,
    by: isObject(payload.sender) ? str(payload.sender.login) : undefined,
    labels: names(issue.labels, 'name'),
    happened: timeOf(issue.updated_at) ?? timeOf(issue.created_at),
    added: action === 'labeled' && label !== undefined ? [label] : [],
    removed: action === 'unlabeled' && label !== undefined ? [label] : [],
  };
}
