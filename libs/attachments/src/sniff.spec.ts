import { sanitizeFilename, sniffContentType } from './sniff';

describe('attachment sniffing and names', () => {
  it('trusts bytes, not names', () => {
    expect(sniffContentType(Buffer.from('%PDF-1.7\n...'))).toBe('application/pdf');
    expect(sniffContentType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(
      'image/png',
    );
    expect(sniffContentType(Buffer.from('MZ\x90\x00\x03\x00\x00\x00', 'latin1'))).toBe(
      'application/x-msdownload',
    );
    expect(sniffContentType(Buffer.from('\x7fELF\x02\x01', 'latin1'))).toBe('application/x-elf');
    expect(sniffContentType(Buffer.from('Grüße, plain text'))).toBe('text/plain');
    expect(sniffContentType(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x02]))).toBe(
      'application/octet-stream',
    );
  });

  it('sanitizes file names', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFilename('C:\\Users\\a\\report.pdf')).toBe('report.pdf');
    expect(sanitizeFilename('..hidden')).toBe('hidden');
    expect(sanitizeFilename('a\r\nb";.txt')).toBe('a__b__.txt');
    expect(sanitizeFilename('CON.txt')).toBe('_CON.txt');
    expect(sanitizeFilename('')).toBe('attachment');
    const long = sanitizeFilename(`${'x'.repeat(300)}.pdf`);
    expect(long).toHaveLength(150);
    expect(long.endsWith('.pdf')).toBe(true);
  });
});
