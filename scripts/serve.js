#!/usr/bin/env node
// Serves the demo page and the files it needs (npm start): web/, dist/, weights/*.mnv2 and,
// when ../shared/images (or $MNV2_SHARED/images) exists, those photos read-only under
// /samples/ with a listing at /samples/index.json. Nothing else in the repository is reachable.
//
// Every response carries COOP/COEP (so the page is cross-origin isolated and a threaded build
// can use SharedArrayBuffer later) and a strict CSP on HTML (so the demo proves that the
// package needs no eval). Environment: PORT (default 8080, 0 = any free port), HOST (default
// 127.0.0.1: a dev server is not exposed to the network unless asked).
import http from 'node:http';
import { createReadStream, existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.bmp': 'image/bmp',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',  // required by WebAssembly.instantiateStreaming
  '.mnv2': 'application/octet-stream',
};

const IMAGE_FILE = /\.(bmp|jpe?g|png|gif|webp)$/i;

// 'wasm-unsafe-eval' is what CSP calls compiling WebAssembly; no JS eval is allowed.
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "img-src 'self' blob: data:",
  "media-src 'self' blob: mediastream:",
  "style-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

const COMMON_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  // A development server: always revalidate, so a rebuilt .wasm is never stale.
  'Cache-Control': 'no-cache',
};

export function sharedImagesDir(env = process.env) {
  return path.join(env.MNV2_SHARED ?? path.resolve(repoRoot, '../shared'), 'images');
}

/**
 * What the demo server exposes: URL prefix -> directory, optionally limited to file names
 * matching `only`; `listing` adds <prefix>index.json, the sorted list of those files.
 */
export function demoMounts({ imagesDir = sharedImagesDir() } = {}) {
  return [
    { prefix: '/web/', dir: path.join(repoRoot, 'web') },
    { prefix: '/dist/', dir: path.join(repoRoot, 'dist') },
    { prefix: '/weights/', dir: path.join(repoRoot, 'weights'), only: /\.mnv2$/ },
    { prefix: '/samples/', dir: imagesDir, only: IMAGE_FILE, listing: true },
  ];
}

function send(response, status, headers, body = '') {
  response.writeHead(status, { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...headers });
  response.end(body);
}

async function listing(response, mount, isHead) {
  let names = [];
  try {
    names = (await readdir(mount.dir, { withFileTypes: true }))
      .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && (!mount.only || mount.only.test(entry.name)))
      .map((entry) => entry.name)
      .sort();
  } catch {
    // No such directory (no shared photos on this machine): an empty list, not an error.
  }
  const body = JSON.stringify(names.map((name) => ({ name, url: mount.prefix + encodeURIComponent(name) })));
  send(response, 200, { 'Content-Type': MIME_TYPES['.json'], 'Content-Length': Buffer.byteLength(body) }, isHead ? '' : body);
}

/** The file a request path names inside a mount, or null when it names nothing servable. */
function resolveInMount(mount, rest) {
  const segments = rest.split('/');
  if (segments.at(-1) === '') segments[segments.length - 1] = 'index.html';
  // No dot files or parent references, no separators smuggled in through percent-encoding.
  if (segments.some((segment) => segment === '' || segment.startsWith('.') || /[\\\0]/.test(segment))) return null;
  if (mount.only && !mount.only.test(segments.at(-1))) return null;
  const file = path.join(mount.dir, ...segments);
  return file.startsWith(mount.dir + path.sep) ? file : null;
}

async function serveFile(request, response, file, pathname, search, contentSecurityPolicy) {
  let info;
  try {
    info = await stat(file);
  } catch {
    return send(response, 404, {}, 'not found\n');
  }
  if (info.isDirectory()) return send(response, 301, { Location: `${pathname}/${search}` });
  if (!info.isFile()) return send(response, 404, {}, 'not found\n');

  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const type = MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers = {
    ...COMMON_HEADERS,
    'Content-Type': type,
    'Content-Length': info.size,
    'Last-Modified': info.mtime.toUTCString(),
    ETag: etag,
  };
  if (type.startsWith('text/html') && contentSecurityPolicy) headers['Content-Security-Policy'] = contentSecurityPolicy;
  if (request.headers['if-none-match'] === etag) {
    delete headers['Content-Length'];
    response.writeHead(304, headers);
    return response.end();
  }
  response.writeHead(200, headers);
  if (request.method === 'HEAD') return response.end();
  const stream = createReadStream(file);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}

/**
 * An http.Server for the given mounts; exact-path redirects map a path to another.
 * contentSecurityPolicy: the CSP sent with HTML (null sends none: the browser benchmark's page
 * hosts other libraries, whose policies are not this project's to prove).
 */
export function createStaticServer({ mounts = demoMounts(), redirects = { '/': '/web/demo/' },
  contentSecurityPolicy = CONTENT_SECURITY_POLICY } = {}) {
  return http.createServer(async (request, response) => {
    try {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return send(response, 405, { Allow: 'GET, HEAD' }, 'method not allowed\n');
      }
      let pathname;
      let search;
      try {
        ({ pathname, search } = new URL(request.url, 'http://localhost'));
        pathname = decodeURIComponent(pathname);
      } catch {
        return send(response, 400, {}, 'bad request\n');
      }
      // Redirects keep the query: /?worker=1 must reach the demo as /web/demo/?worker=1.
      if (Object.hasOwn(redirects, pathname)) return send(response, 302, { Location: redirects[pathname] + search });
      for (const mount of mounts) {
        if (pathname === mount.prefix.slice(0, -1)) return send(response, 301, { Location: mount.prefix + search });
        if (!pathname.startsWith(mount.prefix)) continue;
        const rest = pathname.slice(mount.prefix.length);
        if (mount.listing && rest === 'index.json') return await listing(response, mount, request.method === 'HEAD');
        const file = resolveInMount(mount, rest);
        if (file) return await serveFile(request, response, file, pathname, search, contentSecurityPolicy);
        break;
      }
      return send(response, 404, {}, 'not found\n');
    } catch (error) {
      if (!response.headersSent) send(response, 500, {}, 'internal error\n');
      else response.destroy();
      console.error(`serve: ${request.url}: ${error.message}`);
    }
  });
}

function missingBuildOutputs() {
  const required = ['dist/mobilenetv2.mjs', 'dist/mobilenetv2.wasm', 'weights/mobilenet_v2_1.0_224.mnv2',
    'weights/ssdlite_mobilenet_v2_voc_300.mnv2'];
  return required.filter((file) => !existsSync(path.join(repoRoot, file)));
}

function main() {
  const missing = missingBuildOutputs();
  if (missing.length) {
    console.error(`serve: missing ${missing.join(', ')}; build first with: bash scripts/build.sh (or run bash scripts/run.sh serve, which sets up, builds and serves)`);
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`serve: PORT must be a port number, got ${process.env.PORT}`);
    process.exit(1);
  }
  const host = process.env.HOST || '127.0.0.1';
  const server = createStaticServer();
  server.on('error', (error) => {
    console.error(`serve: cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    const actual = server.address().port;
    const shown = host === '127.0.0.1' || host === '::1' ? 'localhost' : host;
    console.log(`mobilenetv2-wasm demo: http://${shown}:${actual}/`);
    if (!existsSync(sharedImagesDir())) console.log(`(no sample photos: ${sharedImagesDir()} does not exist)`);
  });
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.on(signal, () => {
      server.close();
      server.closeAllConnections();
      process.exit(0);
    });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
