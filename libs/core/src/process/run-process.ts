import { AppConfig, ConfigError, loadConfig } from '../config/config';
import { DatabaseStartupError, prepareDatabase } from '../database/prepare-database';

export interface RunningProcess {
  /** One line printed once the process is ready. */
  ready: string;
  close: () => Promise<void>;
}

const logLine = (name: string, msg: string, extra: Record<string, unknown> = {}) =>
  process.stdout.write(
    JSON.stringify({ level: 30, time: Date.now(), name, pid: process.pid, ...extra, msg }) + '\n',
  );

/**
 * The start-up and shutdown sequence shared by the api and the worker:
 * validate config → check/migrate the database → boot → on SIGTERM/SIGINT close gracefully
 * (in-flight requests and jobs finish) within SHUTDOWN_TIMEOUT_MS, then exit.
 * A wrong configuration or an unreachable database stops the process with one line on stderr.
 */
export async function runProcess(
  name: string,
  boot: (config: AppConfig) => Promise<RunningProcess>,
): Promise<void> {
  const fail = (message: string): never => {
    process.stderr.write(`${name}: ${message}\n`);
    process.exit(1);
  };
  let config: AppConfig;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) return fail(err.message);
    throw err;
  }
  try {
    const result = await prepareDatabase(config);
    if (result.applied.length > 0)
      logLine(name, `applied migrations: ${result.applied.join(', ')}`);
  } catch (err) {
    if (err instanceof DatabaseStartupError) return fail(err.message);
    return fail(`database check failed: ${(err as Error).message}`);
  }
  let running: RunningProcess;
  try {
    running = await boot(config);
  } catch (err) {
    return fail(`failed to start: ${(err as Error).message}`);
  }
  logLine(name, running.ready);

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logLine(name, `${signal}: shutting down gracefully`);
    const timer = setTimeout(() => {
      process.stderr.write(
        `${name}: shutdown took longer than ${config.shutdownTimeoutMs} ms; exiting\n`,
      );
      process.exit(1);
    }, config.shutdownTimeoutMs);
    timer.unref();
    running
      .close()
      .then(() => process.exit(0))
      .catch((err: Error) => fail(`error during shutdown: ${err.message}`));
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
