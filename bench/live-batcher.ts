import { join, resolve } from 'node:path';

/** The batcher as far as this bench uses it (libs/live/src/frame-batcher.ts, of either build). */
interface Socket {
  readyState: number;
  send(): void;
  _socket: { write(data: Buffer, cb: (err?: Error | null) => void): boolean };
}
interface Batcher {
  queue(socket: Socket, head: Buffer, body: Buffer, done: (err?: Error) => void): void;
}

/**
 * `node dist/bench/live-batcher.js [--dist DIR] [--rate 100] [--seconds 4] [--write-us 10]`:
 * the FrameBatcher alone with the api's default settings, with 500 sockets whose
 * write spins `--write-us` µs of wall time (a socket write on a quiet machine) and one event's
 * frame to every socket `--rate` times a second. Prints the writes per socket per second, the
 * CPU per event and how long frames waited (queued → write completed). Without the scheduler's
 * inflation of a flush's CPU on a loaded machine, it shows how the flush window behaves on a
 * quiet one; `--dist` runs another build's batcher (e.g. main's) for an A/B.
 */
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const distArg = (() => {
  const i = process.argv.indexOf('--dist');
  return i > 0 ? resolve(process.argv[i + 1]) : null;
})();

function main() {
  const RATE = arg('rate', 100);
  const SECONDS = arg('seconds', 4);
  const WRITE_US = arg('write-us', 10);
  const SOCKETS = 500;
  const dist = distArg ?? join(__dirname, '..');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- either build's class, chosen at run time
  const { FrameBatcher } = require(join(dist, 'libs/live/src/frame-batcher.js')) as {
    FrameBatcher: new (options: object) => Batcher;
  };
  // the defaults (liveFlush of LIVE_FLUSH_SHARE_PERCENT 10, LIVE_FLUSH_BUSY_SHARE_PERCENT 1,
  // LIVE_FLUSH_MAX_MS 250, LIVE_BUFFER_EVENTS 100); an older batcher ignores what it lacks
  const batcher = new FrameBatcher({
    share: 0.1,
    busyShare: 0.01,
    maxWindowMs: 250,
    maxFrames: 50,
  });
  let writes = 0;
  const waits: number[] = [];
  const spin = (us: number) => {
    const until = performance.now() + us / 1000;
    while (performance.now() < until);
  };
  const sockets: Socket[] = Array.from({ length: SOCKETS }, () => ({
    readyState: 1,
    send: () => undefined,
    _socket: {
      write: (_data: Buffer, cb: (err?: Error | null) => void) => {
        writes++;
        spin(WRITE_US);
        setImmediate(cb);
        return true;
      },
    },
  }));
  const head = Buffer.from('{"id":"0e5c6a0c-2f1b-4c51-9d0e-6f1f6f0b8d3a","type":"next","payload":');
  const none = () => undefined;
  let sent = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const tick = () => {
    const due = Math.floor(((performance.now() - t0) / 1000) * RATE);
    while (sent < due) {
      const at = performance.now();
      const body = Buffer.from(
        `{"data":{"queueChanged":{"change":"changed","ticket":{"id":"${sent}","subject":"Bench"}}}}}`,
      );
      batcher.queue(sockets[0], head, body, () => waits.push(performance.now() - at));
      for (let i = 1; i < SOCKETS; i++) batcher.queue(sockets[i], head, body, none);
      sent++;
    }
    if (performance.now() - t0 < SECONDS * 1000) {
      setTimeout(tick, 2);
      return;
    }
    setTimeout(() => {
      const cpu = process.cpuUsage(cpu0);
      waits.sort((a, b) => a - b);
      const p = (q: number) =>
        waits[Math.min(waits.length - 1, Math.floor((q / 100) * waits.length))].toFixed(0);
      console.log(
        `${distArg ?? 'this build'}: ${RATE} events/s to ${SOCKETS} sockets (write ${WRITE_US} µs): ${(writes / SOCKETS / SECONDS).toFixed(1)} writes per socket per s; CPU ${((cpu.user + cpu.system) / 1000 / sent).toFixed(2)} ms per event; frame waited p50 ${p(50)} · p95 ${p(95)} · max ${p(100)} ms`,
      );
    }, 400);
  };
  tick();
}

main();
