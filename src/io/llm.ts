import { DataError } from '../base/errors.js';

/**
 * A client of an Ollama-compatible chat server (`POST /api/chat`, as the bug study's scripts
 * called Ollama), with Node's own fetch: one user message, `stream: false`, the answer's
 * `message.content`. Each call has a timeout and is retried with exponential back-off when the
 * server fails (a network error, a timeout, a 5xx or a 429); a 4xx other than 429 is the
 * request's fault and is not retried. At most `concurrency` calls are in flight.
 */
export interface ChatSettings {
  /** The server's base URL (http://127.0.0.1:11434). */
  url: string;
  /** The model's name on the server (deepseek-r1:14b). */
  model: string;
  /** Calls in flight at once. */
  concurrency: number;
  /** Milliseconds one call may take. */
  timeoutMs: number;
  /** Further attempts after a failed one. */
  retries: number;
  /** The first back-off in milliseconds; each further one doubles it. */
  backoffMs: number;
  /** Stops the calls not yet made (each unanswered one fails with its reason). */
  signal?: AbortSignal;
}

/** One call's outcome: the answer's text, or why there is none, and how many attempts it took. */
export type ChatResult = { answer: string; attempts: number } | { error: string; attempts: number };

/** The server's base URL with a path, whatever the slashes. */
const endpoint = (url: string, path: string) => `${url.replace(/\/+$/, '')}${path}`;

/** Why a fetch failed, in words: the cause's code (ECONNREFUSED) where Node gives one. */
function reasonOf(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  if (e?.name === 'AbortError') return 'stopped';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/**
 * Checks that the server answers and, where it lists its models (`GET /api/tags`), that it has
 * `model`: a clear error before any report is sent, rather than every call failing.
 */
export async function checkChatServer(url: string, model: string, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(endpoint(url, '/api/tags'), { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw new DataError(`cannot reach the LLM server at ${url}: ${reasonOf(err)}`, {
      code: 'LLM_UNREACHABLE',
      advice: 'check --llm (an Ollama server answers at http://HOST:11434; start it with `ollama serve`)',
    });
  }
  if (res.status === 404) return; // a server that does not list its models: the calls will tell
  if (!res.ok)
    throw new DataError(`the LLM server at ${url} answered GET /api/tags with HTTP ${res.status}`, {
      code: 'LLM_UNREACHABLE',
      advice: "check --llm: bugcat speaks Ollama's API (/api/tags, /api/chat)",
    });
  let names: string[] | undefined;
  try {
    const body = (await res.json()) as { models?: { name?: string; model?: string }[] };
    names = body.models && [...new Set(body.models.flatMap((m) => [m.name, m.model].filter((n): n is string => typeof n === 'string')))];
  } catch {
    throw new DataError(`the LLM server at ${url} answered GET /api/tags with something other than JSON`, {
      code: 'LLM_UNREACHABLE',
      advice: "check --llm: bugcat speaks Ollama's API (/api/tags, /api/chat)",
    });
  }
  if (names && !names.some((n) => n === model || n === `${model}:latest`))
    throw new DataError(`the LLM server at ${url} has no model ${JSON.stringify(model)} (it has: ${names.join(', ') || 'none'})`, {
      code: 'LLM_MODEL',
      advice: `check --llm-model, or pull it on the server (ollama pull ${model})`,
    });
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

/** One prompt to the server, retried as the settings say. */
async function chatOnce(prompt: string, s: ChatSettings): Promise<ChatResult> {
  let last = '';
  for (let attempt = 1; attempt <= s.retries + 1; attempt++) {
    if (s.signal?.aborted) return { error: 'stopped before it was sent', attempts: attempt - 1 };
    let retry = true;
    try {
      const signal = s.signal ? AbortSignal.any([s.signal, AbortSignal.timeout(s.timeoutMs)]) : AbortSignal.timeout(s.timeoutMs);
      const res = await fetch(endpoint(s.url, '/api/chat'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: s.model, messages: [{ role: 'user', content: prompt }], stream: false }),
        signal,
      });
      const text = await res.text();
      if (res.ok) {
        const content = (JSON.parse(text) as { message?: { content?: unknown } }).message?.content;
        if (typeof content === 'string') return { answer: content, attempts: attempt };
        last = 'the answer has no message.content';
      } else {
        let message = text.slice(0, 200);
        try {
          message = String((JSON.parse(text) as { error?: unknown }).error ?? message);
        } catch {
          // not JSON: the text as it came
        }
        last = `HTTP ${res.status}${message ? `: ${message}` : ''}`;
        retry = res.status >= 500 || res.status === 429;
      }
    } catch (err) {
      last = err instanceof SyntaxError ? 'the answer is not JSON' : reasonOf(err);
    }
    if (!retry) return { error: last, attempts: attempt };
    if (attempt <= s.retries) await sleep(s.backoffMs * 2 ** (attempt - 1), s.signal);
  }
  return { error: last, attempts: s.retries + 1 };
}

/**
 * Sends each prompt to the server, at most `concurrency` at once, and gives one result per
 * prompt, in order: a call that fails after its retries has its reason, and never stops the
 * others. `onDone` hears each result as it comes.
 */
export async function chatAll(
  prompts: readonly string[],
  s: ChatSettings,
  onDone?: (index: number, result: ChatResult) => void,
): Promise<ChatResult[]> {
  const results: ChatResult[] = new Array(prompts.length);
  let next = 0;
  const worker = async () => {
    while (next < prompts.length) {
      const i = next++;
      results[i] = await chatOnce(prompts[i], s);
      onDone?.(i, results[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(s.concurrency, prompts.length)) }, worker));
  return results;
}
