#!/usr/bin/env node
/**
 * bugcat's command line. Each subcommand is defined in its own file under src/cli/commands/
 * (its name, flags, help and action; the flags several share are defined once, in flags.ts)
 * and listed once below. Its action, in src/cli/actions/, loads only when the command runs,
 * so that `--help` and one-report predictions start fast.
 */
import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError } from 'commander';
import { BugcatError, VERSION } from '../index.js';
import { messageOf } from './hints.js';
import { command as audit } from './commands/audit.js';
import { command as cv } from './commands/cv.js';
import { command as evaluate } from './commands/evaluate.js';
import { command as explain } from './commands/explain.js';
import { command as feedback } from './commands/feedback.js';
import { command as next } from './commands/next.js';
import { command as predict } from './commands/predict.js';
import { command as pretrain } from './commands/pretrain.js';
import { command as promote } from './commands/promote.js';
import { command as rollback } from './commands/rollback.js';
import { command as serve } from './commands/serve.js';
import { command as similar } from './commands/similar.js';
import { command as train } from './commands/train.js';

// After each full collection V8 lets the heap grow to up to 4 times its live data (on a machine
// with memory to spare): a streaming predict, whose live data is the model and a few batches,
// then held 2 to 3 times what it used. 1.5 times bounds the heap near the live data, at a few
// per cent more collection time (npm run bench:scale: 215 -> 193 MB, the corpus x18, one thread).
// The growth factor is read at every collection, so setting it here, before any work, is enough.
setFlagsFromString('--heap-growing-percent=50');

/** The subcommands, in the order the help lists them: a new command is its file and one entry here. */
const COMMANDS: (() => Command)[] = [
  train,
  predict,
  next,
  explain,
  similar,
  evaluate,
  cv,
  audit,
  pretrain,
  serve,
  promote,
  rollback,
  feedback,
];

const EXIT_CODES = `
Exit codes: 0 success, 1 data or model error (unreadable input, damaged model, ...),
2 usage error (unknown option, missing or invalid argument), 3 some reports could not be
read (each named on stderr and in its output row), or some LLM calls of predict --llm failed
(llm_error); the others were predicted.`;

function build(): Command {
  const program = new Command('bugcat')
    .description('Sort emulator and hypervisor bug reports into categories: train, predict, evaluate, cross-validate.')
    .version(VERSION)
    .addHelpText('after', EXIT_CODES);
  for (const command of COMMANDS) program.addCommand(command().addHelpText('after', EXIT_CODES));
  // Usage errors end in a CommanderError that main() turns into exit code 2, after the help hint.
  for (const cmd of [program, ...program.commands]) {
    cmd
      .exitOverride()
      .showHelpAfterError('(add --help for usage)')
      .configureOutput({ outputError: (text, write) => write(`bugcat: ${text}`) });
  }
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await build().parseAsync(argv);
    return (process.exitCode as number | undefined) ?? 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version end in a CommanderError too, with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof BugcatError) {
      process.stderr.write(`bugcat: error: ${messageOf(err)}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(
      `bugcat: unexpected error: ${e?.message ?? String(err)}\n(please report it; BUGCAT_DEBUG=1 shows where it happened)\n`,
    );
    if (process.env.BUGCAT_DEBUG) process.stderr.write(`${e?.stack}\n`);
    return 1;
  }
}

// A reader that closes early (`| head`) is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
