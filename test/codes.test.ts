/**
 * The error codes are declared once, in src/base/codes.ts: the README's list must say the same
 * (each code, its exit code, HTTP status and meaning, in the table's order), every code must be
 * given somewhere in src/, and the CLI and the service must use the exit code and status the
 * table gives.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../src/base/codes.js';
import { BugcatError } from '../src/base/errors.js';
import { errorHandler } from '../src/serve/errors.js';
import { ROOT } from './helpers.js';

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];
const BEGIN = '<!-- error codes: from src/base/codes.ts, checked by test/codes.test.ts -->';
const END = '<!-- end of error codes -->';

/** The README's rows, as the table gives them. */
const rows = () => CODES.map((c) => `| \`${c}\` | ${ERROR_CODES[c].exit} | ${ERROR_CODES[c].status} | ${ERROR_CODES[c].meaning} |`);

/** The rows of the README's list of error codes. */
function readmeRows(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(BEGIN);
  const end = readme.indexOf(END);
  expect(start, `README.md has no line ${BEGIN}`).toBeGreaterThanOrEqual(0);
  expect(end, `README.md has no line ${END}`).toBeGreaterThan(start);
  return readme
    .slice(start + BEGIN.length, end)
    .split('\n')
    .filter((l) => /^\| `/.test(l));
}

describe('error codes are declared once', () => {
  it('the README lists every code of the table, and no other', () => {
    const listed = readmeRows().map((l) => /^\| `([^`]*)`/.exec(l)![1]);
    expect(
      CODES.filter((c) => !listed.includes(c)),
      'in the table, not in the README',
    ).toEqual([]);
    expect(
      listed.filter((c) => !(c in ERROR_CODES)),
      'in the README, not in the table',
    ).toEqual([]);
  });

  it("the README gives each code's exit code, status and meaning as the table does, in its order", () => {
    expect(readmeRows().join('\n')).toBe(rows().join('\n'));
  });

  it('every code of the table is given somewhere in src/, and every code given is in the table', () => {
    const src = join(ROOT, 'src');
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts') && f !== join('base', 'codes.ts'));
    const text = files.map((f) => readFileSync(join(src, f), 'utf8')).join('\n');
    expect(CODES.filter((c) => !text.includes(`'${c}'`))).toEqual([]);
    const given = [...text.matchAll(/\bcode: '([A-Z_]+)'/g)].map((m) => m[1]);
    expect(given.filter((c) => !(c in ERROR_CODES))).toEqual([]);
  });

  it.each(CODES)('%s: the exit code and the HTTP status are the table’s', (code) => {
    const err = new BugcatError('something went wrong', { code });
    expect(err.exitCode).toBe(ERROR_CODES[code].exit);
    let answer: { status?: number; body?: { error: { status: number; message: string } } } = {};
    const reply = {
      code(status: number) {
        answer.status = status;
        return reply;
      },
      headers: () => reply,
      send(body: { error: { status: number; message: string } }) {
        answer.body = body;
      },
    };
    const request = { headers: {}, log: { error: () => {} } };
    errorHandler({ bodyBytes: 1 })(err, request as unknown as FastifyRequest, reply as unknown as FastifyReply);
    const { status } = ERROR_CODES[code];
    expect(answer.status).toBe(status);
    // A 500 is the service's own failure: logged, and not told to the caller.
    expect(answer.body!.error.message).toBe(status === 500 ? 'internal error: the service logged it' : 'something went wrong');
    answer = {};
  });
});
