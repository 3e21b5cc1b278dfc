import { randomBytes } from 'node:crypto';
import { Socket, connect } from 'node:net';

/**
 * A WebSocket client for the live bench's subscriber process, on a bare TCP socket: the
 * opening handshake, masked client frames, and the server's frames cut out of each chunk the
 * socket reads (all the frames of one server flush in one pass, no object per frame beyond
 * the callback's view of its payload). It stands for 1,000 browsers on the machine the
 * servers run on, so it should cost as little as it can: with `ws` (a `message` event, a
 * Buffer and the receiver's state machine per frame) it spent more CPU per ticket than the
 * whole server, fell seconds behind under load and kept the servers' sockets full.
 *
 * Only what the bench needs: text frames without fragmentation and without extensions (the
 * server offers neither compression nor fragments), ping answered with pong, close.
 */
export class BenchSocket {
  private socket: Socket;
  private rest: Buffer | null = null;
  private upgraded = false;
  private closedSent = false;

  /**
   * `onText(data, start, end)`: a text message is `data[start, end)` (valid only during the
   * call). `onOpen` after the server accepted the upgrade; `onClose(code, reason)` once.
   */
  constructor(
    url: string,
    protocol: string,
    private readonly handlers: {
      onOpen: () => void;
      onText: (data: Buffer, start: number, end: number) => void;
      onClose: (code: number, reason: string) => void;
    },
  ) {
    const u = new URL(url);
    this.socket = connect(Number(u.port), u.hostname);
    this.socket.setNoDelay(true);
    this.socket.on('connect', () =>
      this.socket.write(
        `GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
          `Sec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
      ),
    );
    this.socket.on('data', (chunk: Buffer) => this.read(chunk));
    let ended = false;
    const end = (code: number, reason: string) => {
      if (ended) return;
      ended = true;
      this.socket.destroy();
      handlers.onClose(code, reason);
    };
    this.socket.on('error', (err) => end(1006, err.message));
    this.socket.on('close', () => end(1006, 'connection lost'));
    this.end = end;
  }

  private end: (code: number, reason: string) => void;

  /** Sends a text message. */
  send(text: string): void {
    this.frame(0x1, Buffer.from(text));
  }

  /** Starts the closing handshake (the server answers and closes the TCP connection). */
  close(code = 1000): void {
    if (this.closedSent) return;
    this.closedSent = true;
    const payload = Buffer.alloc(2);
    payload.writeUInt16BE(code);
    this.frame(0x8, payload);
  }

  private frame(opcode: number, payload: Buffer) {
    if (this.socket.destroyed) return;
    // a client's frames are masked; the all-zero mask leaves the payload as it is
    const n = payload.length;
    const head = n < 126 ? 6 : n < 65536 ? 8 : 14;
    const frame = Buffer.alloc(head + n);
    frame[0] = 0x80 | opcode;
    if (n < 126) frame[1] = 0x80 | n;
    else if (n < 65536) {
      frame[1] = 0x80 | 126;
      frame.writeUInt16BE(n, 2);
    } else {
      frame[1] = 0x80 | 127;
      frame.writeBigUInt64BE(BigInt(n), 2);
    }
    payload.copy(frame, head);
    this.socket.write(frame);
  }

  private read(chunk: Buffer) {
    const data = this.rest ? Buffer.concat([this.rest, chunk]) : chunk;
    this.rest = null;
    let at = 0;
    if (!this.upgraded) {
      const headEnd = data.indexOf('\r\n\r\n');
      if (headEnd < 0) {
        this.rest = data;
        return;
      }
      const status = data.toString('latin1', 0, headEnd);
      if (!/^HTTP\/1\.1 101/.test(status)) {
        this.end(1002, status.split('\r\n')[0]);
        return;
      }
      this.upgraded = true;
      at = headEnd + 4;
      this.handlers.onOpen();
    }
    while (data.length - at >= 2) {
      const opcode = data[at] & 0x0f;
      let length = data[at + 1] & 0x7f;
      let head = 2;
      if (length === 126) {
        if (data.length - at < 4) break;
        length = data.readUInt16BE(at + 2);
        head = 4;
      } else if (length === 127) {
        if (data.length - at < 10) break;
        length = Number(data.readBigUInt64BE(at + 2));
        head = 10;
      }
      if (data.length - at < head + length) break;
      const start = at + head;
      const end = start + length;
      at = end;
      if (opcode === 0x1) this.handlers.onText(data, start, end);
      else if (opcode === 0x9) this.frame(0xa, data.subarray(start, end));
      else if (opcode === 0x8) {
        const code = length >= 2 ? data.readUInt16BE(start) : 1005;
        const reason = length > 2 ? data.toString('utf8', start + 2, end) : '';
        this.close(code === 1005 ? 1000 : code);
        this.end(code, reason);
        return;
      }
    }
    if (at < data.length) this.rest = data.subarray(at);
  }
}
