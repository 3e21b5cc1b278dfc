import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SURVEY_PAGE_HEADERS, renderSurveyPage } from '@staydesk/surveys';

/**
 * Serves the built web console (apps/web, `npm run build:web`) from the api's own origin, so the
 * browser needs no CORS and the session cookie can be SameSite=Strict.
 *
 * - Files are read into memory once at startup (the bundle is a few hundred KB) and gzipped once.
 * - `/assets/*` are content-hashed by Vite: cached for a year, immutable.
 * - `index.html` is never cached, so a deploy is picked up on the next navigation.
 * - Every answer carries a strict Content-Security-Policy: scripts only from this origin (no
 *   inline scripts, no eval); inline styles are allowed because the component library (Mantine)
 *   writes its CSS variables into a <style> element.
 * - Any other GET that is not an API path gets index.html (deep links such as /tickets/42).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the api: never answered with the console's index.html. */
/** Fastify's default `maxParamLength`: a longer path parameter matches no parameter route. */
const MAX_PARAM_LENGTH = 100;

const API_PREFIXES = ['/graphql', '/health', '/s/', '/exports', '/metrics'];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
  cacheControl: string;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

function load(dir: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const path of walk(dir)) {
    const url = '/' + relative(dir, path).split(sep).join('/');
    const type = TYPES[extname(path)] ?? 'application/octet-stream';
    const body = readFileSync(path);
    const compressible = /^text\/|javascript|json|svg/.test(type) && body.length > 1024;
    files.set(url, {
      body,
      gzip: compressible ? gzipSync(body, { level: 9 }) : null,
      type,
      cacheControl: url.startsWith('/assets/')
        ? 'public, max-age=31536000, immutable'
        : url === '/index.html'
          ? 'no-store'
          : 'public, max-age=300',
    });
  }
  return files;
}

/** Registers the console's routes; returns false (and serves nothing) when it is not built. */
export function registerWebConsole(fastify: FastifyInstance, webDir: string): boolean {
  const dir = resolve(webDir);
  if (!existsSync(join(dir, 'index.html'))) return false;
  const files = load(dir);
  const index = files.get('/index.html')!;

  const send = (request: FastifyRequest, reply: FastifyReply, file: StaticFile) => {
    const gzip = file.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    void reply
      .header('content-type', file.type)
      .header('cache-control', file.cacheControl)
      .header('content-security-policy', CONTENT_SECURITY_POLICY)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'same-origin')
      .header('vary', 'accept-encoding');
    if (gzip) void reply.header('content-encoding', 'gzip');
    return reply.send(gzip ? file.gzip : file.body);
  };

  fastify.get('/*', (request, reply) => {
    const path = decodeURIComponent(request.url.split('?')[0]);
    const file = files.get(path);
    if (file) return send(request, reply, file);
    const apiPath = API_PREFIXES.some(
      (p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`),
    );
    // a survey link no route took (a token longer than the router's parameter limit): the
    // survey's own "not found" page, echoing nothing of the link
    if (path.startsWith('/s/')) {
      const tooLong = path.length - 3 > MAX_PARAM_LENGTH;
      return reply
        .code(tooLong ? 414 : 404)
        .headers(SURVEY_PAGE_HEADERS)
        .send(renderSurveyPage('', { state: 'unknown' }).html);
    }
    // an api path is the api's own 404 (no echo, counted as unmatched); a missing hashed asset
    // is a plain 404, not the app shell
    if (apiPath) return reply.callNotFound();
    if (path.startsWith('/assets/') || extname(path) !== '') {
      return reply.code(404).header('content-type', 'text/plain; charset=utf-8').send('Not found');
    }
    return send(request, reply, index);
  });
  return true;
}
