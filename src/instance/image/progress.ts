// The build's progress bar on stderr: only for images worth waiting for (at least
// PROGRESS_MIN_BYTES of file data) on a terminal, or when OCCLUM_PROGRESS=1 asks for it.
export const PROGRESS_MIN_BYTES = 16 << 20;
const WIDTH = 30;

export interface ProgressSink {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** A progress callback for buildImage, plus `done` to end the line; undefined when not shown. */
export function progressBar(sink: ProgressSink, env: Record<string, string | undefined>): { update: (done: number, total: number) => void; done: () => void } | undefined {
  const forced = env['OCCLUM_PROGRESS'] === '1';
  if (!forced && (!sink.isTTY || env['OCCLUM_PROGRESS'] === '0')) return undefined;
  let shown = -1;
  let drawn = false;
  return {
    update(done, total) {
      if (!forced && total < PROGRESS_MIN_BYTES) return;
      const pct = total === 0 ? 100 : Math.floor((done * 100) / total);
      if (pct === shown) return;
      shown = pct;
      drawn = true;
      const fill = Math.round((pct * WIDTH) / 100);
      sink.write(`\rbuilding image [${'#'.repeat(fill)}${' '.repeat(WIDTH - fill)}] ${String(pct).padStart(3)}% ${(done / 1048576).toFixed(1)}/${(total / 1048576).toFixed(1)} MB`);
    },
    done() { if (drawn) sink.write('\n'); },
  };
}
