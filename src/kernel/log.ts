// The kernel log, with Occlum's OCCLUM_LOG_LEVEL levels (off|error|warn|info|debug|trace; default off).
export const LOG_LEVELS = ['off', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export class Log {
  private readonly rank: number;
  constructor(level: LogLevel, private readonly sink: (line: string) => void) {
    this.rank = LOG_LEVELS.indexOf(level);
  }
  static parseLevel(s: string | undefined): LogLevel | undefined {
    if (s === undefined || s === '') return 'off';
    const l = s.toLowerCase();
    return (LOG_LEVELS as readonly string[]).includes(l) ? (l as LogLevel) : undefined;
  }
  enabled(level: Exclude<LogLevel, 'off'>): boolean { return LOG_LEVELS.indexOf(level) <= this.rank; }
  private emit(level: Exclude<LogLevel, 'off'>, msg: string): void {
    if (this.enabled(level)) this.sink(`[occlum][${level.toUpperCase()}] ${msg}`);
  }
  error(msg: string): void { this.emit('error', msg); }
  warn(msg: string): void { this.emit('warn', msg); }
  info(msg: string): void { this.emit('info', msg); }
  debug(msg: string): void { this.emit('debug', msg); }
  trace(msg: string): void { this.emit('trace', msg); }
}
