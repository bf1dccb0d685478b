import type { FastifyInstance, FastifyRequest } from 'fastify';
import { answerOf } from './answers.js';
import { HttpError } from './errors.js';
import { gitlabEvent, githubEvent, type IssueEvent } from './issue-event.js';
import { suggestionsOf } from './policy.js';
import { joinTitle, reportOf } from './requests.js';
import { WEBHOOK_BODY, WEBHOOK_QUERY } from './schemas.js';
import type { Service } from './service.js';
import { verifyGitHub, verifyGitLab, type Verdict } from './signatures.js';

/** Where GitHub's webhook deliveries go. */
export const GITHUB_ROUTE = '/v1/webhooks/github';
/** Where GitLab's webhook deliveries go. */
export const GITLAB_ROUTE = '/v1/webhooks/gitlab';

/** GitHub `issues` actions that get a label: a new issue, and one whose text changed. */
const GITHUB_ACTIONS = ['opened', 'edited', 'reopened'];
/** GitLab issue actions that get a label (GitLab's test deliveries carry none). */
const GITLAB_ACTIONS = ['open', 'update', 'reopen', undefined];
const GITLAB_EVENTS = ['Issue Hook', 'Confidential Issue Hook'];
/** GitHub `issues` actions that change labels: what a person did, which the bot records. */
const GITHUB_LABEL_ACTIONS = ['labeled', 'unlabeled'];

type Json = Record<string, unknown>;
type Query = { top?: string; min_confidence?: string; review_label?: string };

const isObject = (x: unknown): x is Json => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A field of a tracker's payload, checked: present (unless optional) and of the type the service reads. */
function field(obj: Json, path: string, name: string, type: 'string' | 'object' | 'number' | 'text', optional = false): unknown {
  const v = obj[name];
  const at = `${path}${name}`;
  if (v === undefined || (v === null && type !== 'text')) {
    if (optional) return undefined;
    throw new HttpError(400, `missing field "${at}" in the payload`, at);
  }
  const ok = type === 'text' ? v === null || typeof v === 'string' : type === 'object' ? isObject(v) : typeof v === type;
  if (!ok)
    throw new HttpError(
      400,
      `field "${at}" must be ${type === 'text' ? 'a string or null' : type === 'object' ? 'a JSON object' : `a ${type}`}`,
      at,
    );
  return v;
}

/** A string field of a payload's object, for the log only: never refused, undefined if absent or of another type. */
function loose(obj: unknown, name: string): string | undefined {
  const v = isObject(obj) ? obj[name] : undefined;
  return typeof v === 'string' ? v.slice(0, 200) : undefined;
}

/** An issue's number, for the log only: a number, else undefined. */
const numberOf = (v: unknown) => (typeof v === 'number' ? v : undefined);

/** A probability as the log writes it (4 decimals, as the command line prints them). */
const round4 = (x: number) => Math.round(x * 10000) / 10000;

/** A single header's value (a repeated one is refused). */
function header(request: FastifyRequest, name: string): string | undefined {
  const v = request.headers[name];
  if (Array.isArray(v)) throw new HttpError(400, `the ${name} header is repeated`);
  return v;
}

/**
 * The trackers' webhooks: GitHub's and GitLab's issue events, answered with the suggested label
 * (posting it back to the tracker is the caller's). With a secret configured, a delivery must
 * prove it: GitHub's X-Hub-Signature-256 (HMAC-SHA256 of the body's exact bytes, checked before
 * the body is parsed), GitLab's X-Gitlab-Token.
 */
export function webhookRoutes(service: Service) {
  return async (app: FastifyInstance): Promise<void> => {
    const { githubSecret, gitlabToken, limits } = service.options;
    const raw = new WeakMap<FastifyRequest, Buffer>();
    const verify = (request: FastifyRequest, body: Buffer): Verdict => {
      const route = request.routeOptions.url;
      if (route === GITHUB_ROUTE && githubSecret !== undefined)
        return verifyGitHub(request.headers['x-hub-signature-256'], body, githubSecret);
      if (route === GITLAB_ROUTE && gitlabToken !== undefined) return verifyGitLab(request.headers['x-gitlab-token'], gitlabToken);
      return undefined;
    };

    // The body's bytes are kept for the signature, which is checked before they are parsed.
    const json = app.getDefaultJsonParser('error', 'error');
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
      const bytes = body as Buffer;
      raw.set(request, bytes);
      const refused = verify(request, bytes);
      if (refused) return done(new HttpError(401, refused), undefined);
      json(request, bytes.toString('utf8'), done);
    });
    // A delivery without a body is checked too (against no bytes).
    app.addHook('preValidation', async (request) => {
      if (raw.has(request)) return;
      const refused = verify(request, Buffer.alloc(0));
      if (refused) throw new HttpError(401, refused);
    });

    /**
     * The answer to a classified delivery: the prediction, and with the bot (--ledger) what it
     * suggests, adds (or would add) and holds back, recorded in the ledger before the answer.
     */
    const answer = async (request: FastifyRequest, text: string, event?: IssueEvent, delivery?: string) => {
      const query = request.query as Query;
      const report = reportOf({ text }, limits);
      const { predictions, model } = await service.predict([report.text], {
        top: query.top === undefined ? undefined : Number(query.top),
        minConfidence: query.min_confidence === undefined ? undefined : Number(query.min_confidence),
        reviewLabel: query.review_label,
      });
      const p = predictions[0];
      // The log line says what was suggested for which issue: the label, and the ranked labels with their
      // probabilities; for a multi-label model, the suggested labels with theirs.
      service.note(
        request,
        'labels' in p
          ? { labels: p.labels.map((l) => ({ label: l, probability: round4(p.scores[l]) })), model: model.checksum }
          : {
              label: p.label,
              confidence: round4(p.confidence),
              top: p.top.map((t) => ({ label: t.label, probability: round4(t.probability) })),
              model: model.checksum,
            },
      );
      const bot = service.bot;
      if (!bot || !event) return { ...answerOf(p, report.text), model: model.checksum };
      const { minConfidence, reviewLabel } = bot.options;
      const suggestions = suggestionsOf(
        p,
        query.min_confidence === undefined ? minConfidence : Number(query.min_confidence),
        query.review_label ?? reviewLabel,
      );
      const explain = (label: string) => service.holder.explain(report.text, { label, top: 10 }).then((r) => r.explanation);
      // Possible duplicates: the training reports most like this issue (none from a model without an index: similar then refuses).
      const { duplicates, duplicateCutoff } = bot.options;
      const similar = async () =>
        duplicates === 0
          ? []
          : (await service.holder.similar(report.text, { top: duplicates, minSimilarity: duplicateCutoff, exclude: [String(event.issue)] }))
              .similar;
      const decided = await bot.deliver(event, delivery, report.text, suggestions, model.checksum, explain, similar);
      service.note(request, { apply: decided.apply ?? decided.would_apply, held: decided.held.length || undefined });
      return { ...answerOf(p, report.text), model: model.checksum, bot: decided };
    };
    /** The delivery's id as the tracker gives it (GitHub's X-GitHub-Delivery, GitLab's Idempotency-Key, kept across its retries). */
    const deliveryOf = (request: FastifyRequest, ...names: string[]) =>
      names
        .map((n) => [request.headers[n]].flat()[0])
        .find((v) => typeof v === 'string' && v !== '')
        ?.slice(0, 100);
    const schema = { body: WEBHOOK_BODY, querystring: WEBHOOK_QUERY };

    app.post(GITHUB_ROUTE, { schema }, async (request) => {
      const event = header(request, 'x-github-event');
      if (event === undefined) throw new HttpError(400, 'missing X-GitHub-Event header: this route takes GitHub webhook deliveries');
      const payload = request.body as Json;
      service.note(request, {
        event: event.slice(0, 100),
        delivery: [request.headers['x-github-delivery']].flat()[0]?.slice(0, 100),
        repository: loose(payload.repository, 'full_name'),
      });
      if (event === 'ping') return { event, ok: true };
      if (event !== 'issues') return { event, skipped: `only issues events are classified (this is ${event})` };
      const action = field(payload, '', 'action', 'string') as string;
      service.note(request, { action, issue: numberOf(isObject(payload.issue) ? payload.issue.number : undefined) });
      const bot = service.bot;
      const issueEvent = bot ? githubEvent(payload) : undefined;
      if (bot && issueEvent && GITHUB_LABEL_ACTIONS.includes(action)) {
        bot.observe(issueEvent);
        return { event, action, recorded: { added: issueEvent.added, removed: issueEvent.removed } };
      }
      if (!GITHUB_ACTIONS.includes(action)) return { event, action, skipped: `only ${GITHUB_ACTIONS.join(', ')} issues are classified` };
      const issue = field(payload, '', 'issue', 'object') as Json;
      const title = field(issue, 'issue.', 'title', 'string') as string;
      const body = field(issue, 'issue.', 'body', 'text', true) as string | null | undefined;
      const number = field(issue, 'issue.', 'number', 'number', true);
      const url = field(issue, 'issue.', 'html_url', 'string', true);
      const delivery = deliveryOf(request, 'x-github-delivery');
      return { event, action, issue: { number, url }, ...(await answer(request, joinTitle(title, body), issueEvent, delivery)) };
    });

    app.post(GITLAB_ROUTE, { schema }, async (request) => {
      const event = header(request, 'x-gitlab-event');
      if (event === undefined) throw new HttpError(400, 'missing X-Gitlab-Event header: this route takes GitLab webhook deliveries');
      const payload = request.body as Json;
      service.note(request, { event: event.slice(0, 100), repository: loose(payload.project, 'path_with_namespace') });
      if (!GITLAB_EVENTS.includes(event)) return { event, skipped: `only issue events are classified (this is ${event})` };
      const attributes = field(payload, '', 'object_attributes', 'object') as Json;
      const action = field(attributes, 'object_attributes.', 'action', 'string', true) as string | undefined;
      service.note(request, { action, issue: numberOf(attributes.iid) });
      const bot = service.bot;
      const issueEvent = bot ? gitlabEvent(payload) : undefined;
      if (bot && issueEvent) bot.observe(issueEvent);
      // With the bot, an update that changed neither title nor description (a label change, a comment) is not suggested for again.
      const changes = isObject(payload.changes) ? payload.changes : {};
      if (bot && issueEvent && action === 'update' && !('title' in changes) && !('description' in changes))
        return { event, action, recorded: { added: issueEvent.added, removed: issueEvent.removed } };
      if (!GITLAB_ACTIONS.includes(action)) return { event, action, skipped: 'only open, update and reopen actions are classified' };
      const title = field(attributes, 'object_attributes.', 'title', 'string') as string;
      const description = field(attributes, 'object_attributes.', 'description', 'text', true) as string | null | undefined;
      const iid = field(attributes, 'object_attributes.', 'iid', 'number', true);
      const url = field(attributes, 'object_attributes.', 'url', 'string', true);
      const delivery = deliveryOf(request, 'idempotency-key', 'x-gitlab-event-uuid');
      return { event, action, issue: { iid, url }, ...(await answer(request, joinTitle(title, description), issueEvent, delivery)) };
    });
  };
}
