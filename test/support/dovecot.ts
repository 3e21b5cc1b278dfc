import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { sparePort } from './private-servers';

export interface PrivateDovecot {
  port: number;
  user: string;
  password: string;
  close(): Promise<void>;
}

/**
 * A private Dovecot IMAP server (Debian's dovecot-imapd) on a spare loopback port, with its own
 * config, passwd-file and maildir under a temp folder; never the system config or port 143/993.
 * Plain IMAP without TLS (loopback only). As root, mail is owned by `dovenull`.
 */
export async function startPrivateDovecot(): Promise<PrivateDovecot> {
  const binary = '/usr/sbin/dovecot';
  if (!existsSync(binary))
    throw new Error('dovecot is not installed (apt-get install dovecot-imapd)');
  const port = await sparePort();
  const dir = mkdtempSync(join(tmpdir(), 'sd-dovecot-'));
  const root = process.getuid?.() === 0;
  const account = root ? 'dovenull' : userInfo().username;
  const user = 'support';
  const password = 'imap-test-password';
  mkdirSync(join(dir, 'run'));
  mkdirSync(join(dir, 'mail'));
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}::::::\n`);
  const config = join(dir, 'dovecot.conf');
  writeFileSync(
    config,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:${dir}/mail/%u
default_internal_user = ${account}
default_login_user = ${account}
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${account} gid=${account} home=${dir}/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`,
  );
  if (root) {
    const uid = Number(execFileSync('id', ['-u', account]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', account]).toString().trim());
    chownSync(join(dir, 'mail'), uid, gid);
    chmodSync(dir, 0o755); // the auth and mail processes run as that user
  }
  // dovecot daemonizes: with piped output execFileSync would wait for the daemon itself, so
  // its start-up errors go to a file
  const errFile = join(dir, 'start.err');
  const errFd = openSync(errFile, 'w');
  try {
    execFileSync(binary, ['-c', config], { stdio: ['ignore', 'ignore', errFd] });
  } catch {
    throw new Error(`dovecot did not start: ${readFileSync(errFile, 'utf8')}`);
  } finally {
    closeSync(errFd);
  }
  // wait until it accepts connections
  const { connect } = await import('node:net');
  for (let i = 0; ; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (up) break;
    if (i > 100) throw new Error(`dovecot did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    user,
    password,
    async close() {
      try {
        execFileSync(binary, ['-c', config, 'stop'], { stdio: 'ignore' });
      } catch {
        // already gone
      }
      await new Promise((r) => setTimeout(r, 200));
      if (!process.env.KEEP_DOVECOT) rmSync(dir, { recursive: true, force: true });
    },
  };
}
