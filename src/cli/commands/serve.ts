import { availableParallelism } from 'node:os';
import { Command, Option } from 'commander';
import { modelOption, modelsOption, number } from '../flags.js';

/** bugcat serve's prediction threads by default: one per core beside the main thread's, at least one. */
const SERVE_WORKERS = Math.max(1, availableParallelism() - 1);

/** bugcat serve: the model over HTTP, until SIGTERM (the service and its web framework load only then). */
export const command = (): Command =>
  new Command('serve')
    .description(
      'Serve a model over HTTP: JSON predictions, GitHub and GitLab webhooks, metrics. SIGHUP reloads the model, SIGTERM drains and stops.',
    )
    .addOption(modelOption('model folder (SIGHUP or POST /v1/admin/reload reads it again)'))
    .addOption(modelsOption().conflicts('model'))
    .option('--host <address>', 'address to listen on (127.0.0.1: this machine only; 0.0.0.0: every interface)', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0: any free port; the address is printed on stdout)', number('int', 0, 65535), 8080)
    .addOption(new Option('--token <secret>', 'bearer token that every route but /healthz then needs').env('BUGCAT_TOKEN'))
    .addOption(
      new Option('--github-secret <secret>', "the GitHub webhook's secret: deliveries must carry a matching X-Hub-Signature-256").env(
        'BUGCAT_GITHUB_SECRET',
      ),
    )
    .addOption(
      new Option('--gitlab-token <secret>', "the GitLab webhook's secret token: deliveries must carry it as X-Gitlab-Token").env(
        'BUGCAT_GITLAB_TOKEN',
      ),
    )
    .option('--workers <n>', 'prediction threads (0: predict in the main thread)', number('int', 0, 64), SERVE_WORKERS)
    .option('--max-body <bytes>', 'largest request body accepted (413 above)', number('int', 1024), 1024 * 1024)
    .option('--max-report-chars <n>', 'longest report accepted, in characters (413 above)', number('int', 1), 100_000)
    .option('--max-batch <n>', 'most reports in one batch (413 above)', number('int', 1, 10_000), 100)
    .option(
      '--timeout <ms>',
      'time a client has to send a whole request (408 after); a connection silent for twice as long is closed',
      number('int', 100),
      10_000,
    )
    .option('--drain-timeout <ms>', 'time the requests in flight have to finish after SIGTERM', number('int', 0), 10_000)
    .option(
      '--ledger <file>',
      "the bot's ledger: every delivery, suggestion, label written and person's change, appended (made if missing)",
    )
    .option(
      '--apply',
      'add the suggested labels through the tracker API (tokens: BUGCAT_GITLAB_API_TOKEN, BUGCAT_GITHUB_API_TOKEN); without it, only recorded as what would be applied',
      false,
    )
    .option('--comment', 'post one comment per issue: the suggested labels, their top terms', false)
    .option(
      '--duplicate-cutoff <s>',
      'with --comment: list past issues at least this similar (cosine, 0 to 1) as possible duplicates (needs a model trained with --keep-index)',
      number('float', 0, 1),
      0.5,
    )
    .option('--duplicates <n>', 'with --comment: how many possible duplicates to list at most (0: none)', number('int', 0, 20), 3)
    .option('--gitlab-api <url>', "GitLab's REST API", 'https://gitlab.com/api/v4')
    .option('--github-api <url>', "GitHub's REST API", 'https://api.github.com')
    .option(
      '--min-confidence <p>',
      "least confidence of a single-label model's label for the bot to suggest it",
      number('float', 0, 1),
      0.6,
    )
    .option(
      '--scope <glob...>',
      "label families (globs, 'target: *') in which a person's label holds: bugcat adds none beside it (kind:: scopes always hold)",
      [],
    )
    .option('--skip-author <glob...>', "leave alone the issues of these authors (globs: '*[bot]', 'dependabot*')", [])
    .option('--skip-label <label...>', 'leave alone the issues carrying one of these labels (globs)', [])
    .option('--only-label <glob...>', 'the only labels the bot may add (globs)')
    .option('--retry <ms>', "the first retry's wait after a tracker error (doubling up to 5 minutes)", number('int', 1), 1000)
    .option('--tracker-timeout <ms>', 'time a call to the tracker may take before it is retried', number('int', 100), 30_000)
    .addOption(
      new Option('--log-level <level>', 'log level of the JSON lines on stderr (info: one line per request)')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .action(async (o) => (await import('../actions/serve.js')).serve(o));
