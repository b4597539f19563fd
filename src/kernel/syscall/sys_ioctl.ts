// ioctl: the requests programs use on terminals, pipes and files.
import { fail } from '../errno.js';
import type { Thread } from '../process/process.js';
import { StdioFile } from '../fs/stdio.js';
import { O_NONBLOCK } from '../fs/flags.js';

export const TCGETS = 0x5401, TCSETS = 0x5402, TCSETSW = 0x5403, TCSETSF = 0x5404, TIOCGWINSZ = 0x5413,
  TIOCSWINSZ = 0x5414, FIONREAD = 0x541b, FIONBIO = 0x5421, FIOCLEX = 0x5451, FIONCLEX = 0x5450, TIOCGPGRP = 0x540f, TIOCSPGRP = 0x5410, TIOCGSID = 0x5429;

/** A terminal's settings as Linux reports them for a cooked-mode tty (struct termios, 60 bytes). */
export function defaultTermios(): Uint8Array {
  const b = new Uint8Array(60);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, 0x2d02, true);  // iflag: ICRNL|IXON|IMAXBEL|IUTF8... (BRKINT ICRNL IXON IMAXBEL IUTF8)
  dv.setUint32(4, 0x5, true);     // oflag: OPOST|ONLCR
  dv.setUint32(8, 0xbf, true);    // cflag: B38400|CS8|CREAD
  dv.setUint32(12, 0x8a3b, true); // lflag: ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE
  const cc = [3, 28, 127, 21, 4, 0, 1, 0, 17, 19, 26, 0, 18, 15, 23, 22];
  cc.forEach((v, i) => { b[17 + i] = v; });
  dv.setUint32(52, 0xf, true);    // ispeed B38400
  dv.setUint32(56, 0xf, true);
  return b;
}

export type IoctlResult = { value: number; out?: Uint8Array };

/** Returns the result and, for "get" requests, the bytes to copy to the argument pointer. */
export async function sysIoctl(t: Thread, fd: number, request: number, arg: Uint8Array | undefined, argInt: number): Promise<IoctlResult> {
  const fds = t.process.fds;
  const f = fds.get(fd);
  switch (request) {
    case FIONREAD: {
      const n = await f.bytesAvailable();
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, n, true);
      return { value: 0, out };
    }
    case FIONBIO: {
      const on = arg ? new DataView(arg.buffer, arg.byteOffset, 4).getInt32(0, true) !== 0 : argInt !== 0;
      f.flags = on ? f.flags | O_NONBLOCK : f.flags & ~O_NONBLOCK;
      return { value: 0 };
    }
    case FIOCLEX: fds.setCloexec(fd, true); return { value: 0 };
    case FIONCLEX: fds.setCloexec(fd, false); return { value: 0 };
    case TIOCGWINSZ: {
      if (!(f instanceof StdioFile) || !f.isatty()) fail('ENOTTY');
      const ws = f.winsize() ?? { rows: 24, cols: 80 };
      const out = new Uint8Array(8);
      const dv = new DataView(out.buffer);
      dv.setUint16(0, ws.rows, true);
      dv.setUint16(2, ws.cols, true);
      return { value: 0, out };
    }
    case TIOCSWINSZ:
      if (!f.isatty()) fail('ENOTTY');
      return { value: 0 };
    case TCGETS:
      if (!f.isatty()) fail('ENOTTY');
      return { value: 0, out: defaultTermios() };
    case TCSETS: case TCSETSW: case TCSETSF:
      if (!f.isatty()) fail('ENOTTY');
      return { value: 0 }; // settings accepted; the host terminal keeps its own mode
    case TIOCSPGRP:
      if (!f.isatty()) fail('ENOTTY');
      return { value: 0 }; // one foreground group: occlum run forwards terminal signals to the root's group
    case TIOCGSID: {
      if (!f.isatty()) fail('ENOTTY');
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, t.process.sid, true);
      return { value: 0, out };
    }
    case TIOCGPGRP: {
      if (!f.isatty()) fail('ENOTTY');
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, t.process.pgid, true);
      return { value: 0, out };
    }
    default:
      fail('ENOTTY', `ioctl request 0x${request.toString(16)}`);
  }
}
