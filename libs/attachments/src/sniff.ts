/** Content types recognised from the first bytes of a file (the declared type is never trusted). */
const MAGIC: { type: string; test: (b: Buffer) => boolean }[] = [
  { type: 'application/pdf', test: (b) => b.subarray(0, 5).toString('latin1') === '%PDF-' },
  {
    type: 'image/png',
    test: (b) =>
      b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
  },
  { type: 'image/jpeg', test: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/gif', test: (b) => /^GIF8[79]a/.test(b.subarray(0, 6).toString('latin1')) },
  {
    type: 'image/webp',
    test: (b) =>
      b.subarray(0, 4).toString('latin1') === 'RIFF' &&
      b.subarray(8, 12).toString('latin1') === 'WEBP',
  },
  {
    type: 'application/zip',
    test: (b) => b[0] === 0x50 && b[1] === 0x4b && (b[2] === 3 || b[2] === 5 || b[2] === 7),
  },
  { type: 'application/gzip', test: (b) => b[0] === 0x1f && b[1] === 0x8b },
  { type: 'application/x-msdownload', test: (b) => b[0] === 0x4d && b[1] === 0x5a },
  { type: 'application/x-elf', test: (b) => b.subarray(0, 4).toString('latin1') === '\x7fELF' },
  {
    type: 'application/x-mach-binary',
    test: (b) =>
      ['feedface', 'feedfacf', 'cefaedfe', 'cffaedfe', 'cafebabe'].includes(
        b.subarray(0, 4).toString('hex'),
      ),
  },
  { type: 'text/x-shellscript', test: (b) => b[0] === 0x23 && b[1] === 0x21 },
];

/** Types that run code when opened: stored, but always downloaded as opaque bytes. */
export const EXECUTABLE_TYPES = new Set([
  'application/x-msdownload',
  'application/x-elf',
  'application/x-mach-binary',
  'text/x-shellscript',
]);

function isUtf8Text(b: Buffer): boolean {
  const sample = b.subarray(0, 8192);
  if (sample.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(
      sample.length === b.length ? sample : trimPartial(sample),
    );
    return true;
  } catch {
    return false;
  }
}

/** Drops a multi-byte sequence cut off at the end of a sample. */
function trimPartial(b: Buffer): Buffer {
  const end = b.length;
  for (let i = 1; i <= 3 && end - i >= 0; i++) {
    const byte = b[end - i];
    if ((byte & 0xc0) === 0xc0) return b.subarray(0, end - i);
    if ((byte & 0x80) === 0) break;
  }
  return b;
}

/** The content type of a file from its bytes: a known signature, else UTF-8 text, else opaque. */
export function sniffContentType(bytes: Buffer): string {
  for (const m of MAGIC) if (bytes.length >= 4 && m.test(bytes)) return m.type;
  if (bytes.length === 0) return 'application/octet-stream';
  return isUtf8Text(bytes) ? 'text/plain' : 'application/octet-stream';
}

/**
 * A file name safe to store and to send in Content-Disposition: no directories, no control or
 * reserved characters, no leading dots, at most 150 characters (the extension kept).
 */
export function sanitizeFilename(name: string | null | undefined): string {
  const base = (name ?? '').normalize('NFC').split(/[\\/]/).pop() ?? '';
  let clean = base
    // eslint-disable-next-line no-control-regex -- control characters are what this removes
    .replace(/[\u0000-\u001f\u007f<>:"|?*;]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '')
    .trim();
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(clean)) clean = `_${clean}`;
  if (clean.length > 150) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 12 ? clean.slice(dot) : '';
    clean = clean.slice(0, 150 - ext.length) + ext;
  }
  return clean || 'attachment';
}
