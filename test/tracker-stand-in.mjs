/**
 * A stand-in of the GitLab and GitHub REST APIs the bot calls, on 127.0.0.1 and an ephemeral
 * port, for the tests and the bench (scripts/bench-bot.mjs): GitLab's
 * `PUT /projects/:id/issues/:iid` (add_labels), `POST .../notes` and `GET .../notes`, GitHub's
 * `POST /repos/:owner/:repo/issues/:number/labels`, `POST .../comments` and `GET .../comments`
 * (lists paged as the trackers page them: `per_page`, `page`, and a `Link: rel="next"` header).
 * It keeps each issue's labels and comments, checks the token, and can be told to fail,
 * rate-limit, or hang: before doing what a call asks, or after (the write done, its answer held,
 * as when a process dies between posting and hearing back).
 * Plain JavaScript so that the bench, which runs on Node without a TypeScript step, uses it too.
 */
import { createServer } from 'node:http';

/**
 * @typedef {{ status: number, headers?: Record<string, string>, body?: string }} Failure
 * @typedef {{ method: string, path: string, tracker: 'gitlab' | 'github', key: string, body: any, answered: number | 'hung' }} Call
 */

/**
 * Starts the stand-in. `tokens`: the GitLab and GitHub tokens it accepts.
 * @param {{ gitlabToken?: string, githubToken?: string }} tokens
 */
export async function startTracker({ gitlabToken = 'gl-token', githubToken = 'gh-token' } = {}) {
  /** @type {Map<string, Set<string>>} */
  const labels = new Map();
  /** @type {Map<string, string[]>} */
  const comments = new Map();
  /** @type {Call[]} */
  const calls = [];
  /** @type {Failure[]} */
  const failures = [];
  /** false, or 'before' (calls held, nothing done) or 'after' (a write done, its answer held). */
  let hang = false;
  /** If set, only the calls it is true of are held. */
  let hangOnly;
  /** @type {Set<import('node:http').ServerResponse>} */
  const hung = new Set();

  const labelsOf = (key) => {
    let s = labels.get(key);
    if (!s) labels.set(key, (s = new Set()));
    return s;
  };

  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = decodeURIComponent(url.pathname);
      /** Holds the answer (once the call is known): set below, with whether this call's answer is held after its write. */
      let hold;
      let holdAfter = () => false;
      const send = (status, body, headers = {}) => {
        if (hold && holdAfter()) return hold();
        res.writeHead(status, { 'content-type': 'application/json', ...headers });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      let body;
      try {
        body = raw ? JSON.parse(raw) : {};
      } catch {
        return send(400, { message: 'Problems parsing JSON' });
      }
      const gl = /^\/api\/v4\/projects\/([^/]+)\/issues\/(\d+)(\/notes)?$/.exec(path);
      const gh = /^\/repos\/([^/]+\/[^/]+)\/issues\/(\d+)\/(labels|comments)$/.exec(path);
      const tracker = gl ? 'gitlab' : gh ? 'github' : undefined;
      if (!tracker) return send(404, { message: 'Not Found' });
      const key = `${tracker}:${gl ? gl[1] : gh[1]}#${gl ? gl[2] : gh[2]}`;
      /** @type {Call} */
      const call = { method: req.method ?? '', path, tracker, key, body, answered: 'hung' };
      calls.push(call);
      const held = hang && (!hangOnly || hangOnly(call)) ? hang : false;
      holdAfter = () => held === 'after';
      hold = () => {
        call.answered = 'hung';
        hung.add(res);
        res.on('close', () => hung.delete(res));
      };
      if (held === 'before') return hold();
      const failure = failures.shift();
      if (failure) {
        call.answered = failure.status;
        return send(failure.status, failure.body ?? { message: 'failure asked for' }, failure.headers);
      }
      const ok =
        tracker === 'gitlab' ? req.headers['private-token'] === gitlabToken : req.headers.authorization === `Bearer ${githubToken}`;
      if (!ok) {
        call.answered = 401;
        return send(401, { message: '401 Unauthorized' });
      }
      const issueLabels = labelsOf(key);
      if (gl && !gl[3] && req.method === 'PUT') {
        for (const l of String(body.add_labels ?? '')
          .split(',')
          .filter(Boolean))
          issueLabels.add(l);
        call.answered = 200;
        return send(200, { iid: Number(gl[2]), labels: [...issueLabels] });
      }
      if (gh && gh[3] === 'labels' && req.method === 'POST') {
        for (const l of body.labels ?? []) issueLabels.add(l);
        call.answered = 200;
        return send(
          200,
          [...issueLabels].map((name) => ({ name })),
        );
      }
      if ((gl?.[3] || gh?.[3] === 'comments') && req.method === 'POST') {
        comments.set(key, [...(comments.get(key) ?? []), String(body.body)]);
        call.answered = 201;
        return send(201, { id: calls.length, body: body.body });
      }
      if ((gl?.[3] || gh?.[3] === 'comments') && req.method === 'GET') {
        // Oldest first (GitLab when asked sort=asc, GitHub always), a page at a time, the next page linked.
        const all = comments.get(key) ?? [];
        const perPage = Math.min(100, Number(url.searchParams.get('per_page') ?? (gl ? 20 : 30)) || 20);
        const page = Math.max(1, Number(url.searchParams.get('page') ?? 1) || 1);
        const items = all.slice((page - 1) * perPage, page * perPage).map((b, i) => ({ id: (page - 1) * perPage + i + 1, body: b }));
        const headers = {};
        if (page * perPage < all.length) {
          const next = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
          next.searchParams.set('page', String(page + 1));
          headers.link = `<${next.href}>; rel="next"`;
        }
        call.answered = 200;
        return send(200, items, headers);
      }
      call.answered = 405;
      send(405, { message: 'Method Not Allowed' });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const base = `http://127.0.0.1:${port}`;

  return {
    /** GitLab's API base (give it to --gitlab-api). */
    gitlabApi: `${base}/api/v4`,
    /** GitHub's API base (give it to --github-api). */
    githubApi: base,
    gitlabToken,
    githubToken,
    calls,
    /** An issue's labels now (`gitlab:<project>#<iid>`, `github:<owner>/<repo>#<number>`). */
    labels: (key) => [...labelsOf(key)].sort(),
    /** Sets an issue's labels, as a person would. */
    setLabels: (key, list) => labels.set(key, new Set(list)),
    comments: (key) => comments.get(key) ?? [],
    /** Adds a comment to an issue, as a person would. */
    addComment: (key, body) => comments.set(key, [...(comments.get(key) ?? []), body]),
    /** The next calls fail so, in order. */
    fail: (...list) => failures.push(...list),
    /**
     * Calls are held unanswered (true, or 'before': nothing done; 'after': a write done, its
     * answer held), only those `only` is true of if given, or answered again (false: the held
     * ones are cut).
     */
    hang(on, only) {
      hang = on === true ? 'before' : on;
      hangOnly = on ? only : undefined;
      if (!on) for (const res of hung) res.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const res of hung) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve(undefined));
      }),
  };
}
