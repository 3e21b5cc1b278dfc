import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@staydesk/core';

/**
 * Where attachment bytes live, addressed by their sha256 (the same file is stored once however
 * often it is attached). Local disk now; an S3-compatible store implements the same three calls.
 */
export abstract class BlobStorage {
  /** Stores bytes (a no-op when the same content is there) and returns their sha256. */
  abstract put(bytes: Buffer): Promise<string>;
  abstract get(sha256: string): Promise<Buffer>;
  abstract has(sha256: string): Promise<boolean>;
}

const SHA = /^[0-9a-f]{64}$/;

/** Files under ATTACHMENTS_DIR/ab/cd/<sha256>, written to a temporary name and renamed (atomic). */
@Injectable()
export class LocalDiskStorage extends BlobStorage {
  private readonly root: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.root = resolve(config.attachments.dir);
  }

  private path(sha256: string): string {
    if (!SHA.test(sha256)) throw new Error('not a sha256 digest');
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(bytes: Buffer): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.path(sha256);
    if (await this.has(sha256)) return sha256;
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(tmp, bytes, { flag: 'wx' });
    try {
      await rename(tmp, path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    return sha256;
  }

  get(sha256: string): Promise<Buffer> {
    return readFile(this.path(sha256));
  }

  async has(sha256: string): Promise<boolean> {
    return stat(this.path(sha256)).then(
      (s) => s.isFile(),
      () => false,
    );
  }
}
