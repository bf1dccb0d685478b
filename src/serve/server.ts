/**
 * `bugcat serve`: the model loaded once, answered over HTTP, until SIGTERM. This file is the
 * service's entry (the command line imports it and nothing else of src/serve/): it starts the
 * prediction threads, loads the model, listens, and ties the signals to a reload (SIGHUP) and
 * a drain (SIGTERM, SIGINT).
 */
import { isIP } from 'node:net';
import { BugcatError, PredictionPool } from '../index.js';
import { buildApp } from './app.js';
import { Bot } from './bot.js';
import { ModelHolder } from './holder.js';
import { Metrics } from './metrics.js';
import type { ServeOptions } from './options.js';
import { Service } from './service.js';

export type { Limits, ServeOptions } from './options.js';

const isLoopback = (host: string) => host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';

/**
 * Runs the service until SIGTERM or SIGINT: resolves once the requests in flight have been
 * answered and everything is closed (or once `drainMs` has passed, their connections cut:
 * then `drained` is false). Throws a BugcatError if the model cannot serve or the address
 * cannot be listened on. `onListening` hears the address once the service answers.
 */
export async function serve(o: ServeOptions, onListening: (url: string) => void = () => {}): Promise<{ drained: boolean }> {
  // Assigned once the model has loaded; the pool's callbacks, made before, read it then.
  // eslint-disable-next-line prefer-const
  let service: Service | undefined;
  const engine = new PredictionPool(o.workers, {
    runtime: o.runtime,
    restart: true,
    onThreadLost: (reason) => service?.log?.error({ reason }, 'a prediction thread stopped; a new one took its place'),
    onNotice: (message) => service?.log?.warn(message),
  });
  let holder: ModelHolder;
  try {
    holder = await ModelHolder.open(engine, o.model);
  } catch (err) {
    await engine.close();
    if (err instanceof BugcatError) throw err;
    throw new BugcatError(`cannot load model ${o.model}: ${(err as Error)?.message ?? String(err)}`, { code: 'MODEL_LOAD' });
  }
  service = new Service(holder, new Metrics(), o);
  const app = buildApp(service);
  const log = app.log;
  if (o.bot) {
    try {
      service.bot = Bot.open(o.bot, log);
    } catch (err) {
      await engine.close();
      throw err;
    }
  }

  try {
    await app.listen({ host: o.host, port: o.port, listenTextResolver: (address) => `HTTP server listening at ${address}` });
  } catch (err) {
    await engine.close();
    await service.bot?.close();
    const e = err as NodeJS.ErrnoException;
    const where = `${o.host}:${o.port}`;
    if (e.code === 'EADDRINUSE')
      throw new BugcatError(`${where} is already in use`, {
        code: 'ADDRESS_IN_USE',
        advice: 'choose another port, or stop what listens there',
      });
    if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
      throw new BugcatError(`cannot listen on ${where}: no such address here`, { code: 'ADDRESS' });
    if (e.code === 'EACCES')
      throw new BugcatError(`cannot listen on ${where}: permission denied`, { code: 'ADDRESS', advice: 'use a port from 1024 up' });
    throw err;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : o.port;
  const url = `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`;
  log.info({ url, model: holder.current.checksum, dir: o.model, threads: engine.threads, auth: o.token !== undefined }, 'serving');
  if (!isLoopback(o.host) && o.token === undefined)
    log.warn({ host: o.host }, 'listening beyond this machine without a token: anyone who reaches it may use it');
  onListening(url);

  const onHup = () => void service.reload('SIGHUP');
  process.on('SIGHUP', onHup);
  return new Promise((resolve) => {
    let closing = false;
    const stop = async (signal: NodeJS.Signals) => {
      if (closing) {
        log.warn({ signal }, 'second signal: cutting the connections still open');
        app.server.closeAllConnections();
        return;
      }
      closing = true;
      log.info({ signal }, 'draining: answering the requests in flight, then stopping');
      let drained = true;
      const timer = setTimeout(() => {
        drained = false;
        log.warn({ ms: o.drainMs }, 'requests still in flight after the drain time: cutting their connections');
        app.server.closeAllConnections();
      }, o.drainMs);
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
        await service.bot?.close();
        await engine.close();
        process.off('SIGHUP', onHup).off('SIGTERM', stop).off('SIGINT', stop);
        log.info({ drained }, 'stopped');
        resolve({ drained });
      }
    };
    process.on('SIGTERM', stop).on('SIGINT', stop);
  });
}
