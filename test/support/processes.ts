import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = join(__dirname, '..', '..');
export const API_MAIN = join(ROOT, 'dist', 'apps', 'api', 'src', 'main.js');
export const WORKER_MAIN = join(ROOT, 'dist', 'apps', 'worker', 'src', 'main.js');

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a built entry point as a real process and waits for it to exit (bounded in time). */
export function runToExit(
  file: string,
  env: Record<string, string>,
  timeoutMs = 20_000,
  args: string[] = [],
): Promise<Exited> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
