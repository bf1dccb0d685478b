/**
 * A stand-in of the GitLab and GitHub REST APIs the bot calls, on 127.0.0.1 and an ephemeral
 * port, for the tests and the bench (scripts/bench-bot.mjs): GitLab's
 * `PUT /projects/:id/issues/:iid` (add_labels) and `POST .../notes`, GitHub's
 * `POST /repos/:owner/:repo/issues/:number/labels` and `POST .../comments`. It keeps each
 * issue's labels and comments, checks the token, and can be told to fail, rate-limit or hang.
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
  let hang = false;
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
      const send = (status, body, headers = {}) => {
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
      if (hang) {
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
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
    /** The next calls fail so, in order. */
    fail: (...list) => failures.push(...list),
    /** Calls are held unanswered (true) or answered again (false: the held ones are cut). */
    hang(on) {
      hang = on;
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
