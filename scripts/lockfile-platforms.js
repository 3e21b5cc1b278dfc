#!/usr/bin/env node
/**
 * Completes package-lock.json with the platform-specific optional packages that `npm install`
 * could not resolve here. Our registry mirror only carries some platforms' binaries
 * (e.g. `@swc/core-linux-x64-gnu` but not `@swc/core-darwin-arm64`), so npm leaves those out of
 * the lock, and `npm ci` then refuses the lock as "not in sync". Each missing optional dependency
 * gets an entry marked optional with the os/cpu read from its name, so `npm ci` skips it on
 * other platforms exactly as it would skip a real entry. Run after every `npm install`
 * (`npm run lock:fix`); it only adds entries, never changes resolved ones.
 */
const fs = require('node:fs');
const path = require('node:path');

const lockPath = path.join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

const OS = [
  'darwin',
  'linux',
  'win32',
  'android',
  'freebsd',
  'openbsd',
  'netbsd',
  'sunos',
  'aix',
  'openharmony',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];

function platformOf(name) {
  const tokens = name.toLowerCase().split(/[^a-z0-9]+/);
  const os = OS.filter((o) => tokens.includes(o));
  const cpu = CPU.filter((c) => tokens.includes(c));
  if (tokens.includes('gnueabihf') || tokens.includes('musleabihf') || tokens.includes('eabi')) {
    if (!cpu.includes('arm')) cpu.push('arm');
  }
  return { os, cpu };
}

/** Where npm would look for `dep` required from the package at `from` (node_modules walk-up). */
function resolves(from, dep) {
  let dir = from;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ''}node_modules/${dep}`;
    if (packages[candidate]) return true;
    if (!dir) return false;
    const idx = dir.lastIndexOf('/node_modules/');
    dir = idx === -1 ? '' : dir.slice(0, idx);
  }
}

let added = 0;
for (const [location, meta] of Object.entries(packages)) {
  const optional = meta.optionalDependencies ?? {};
  for (const [dep, spec] of Object.entries(optional)) {
    if (resolves(location, dep)) continue;
    const { os, cpu } = platformOf(dep);
    if (os.length === 0 && cpu.length === 0) continue; // not a platform binary: leave it to npm
    const version = String(spec).replace(/^[\^~=]/, '');
    packages[`node_modules/${dep}`] = {
      version,
      dev: meta.dev || undefined,
      optional: true,
      ...(os.length ? { os } : {}),
      ...(cpu.length ? { cpu } : {}),
    };
    added++;
  }
}

const sorted = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
);
lock.packages = sorted;
fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
console.log(`lockfile-platforms: added ${added} platform entr${added === 1 ? 'y' : 'ies'}`);
