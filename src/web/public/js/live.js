// "New cases appear without reloading": the notifications stream when the server has one
// (GET /notifications/stream, read with fetch so the Bearer header is sent), else polling.
import { session } from './api.js';

/**
 * Calls `onChange` when something may have changed. Returns a stop function.
 * Polls every `pollMs`; while a stream is connected, only every 30 s as a safety net.
 */
export function watch(onChange, { pollMs = 10_000 } = {}) {
  let stopped = false;
  let streaming = false;
  let timer = null;
  const controller = new AbortController();

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(async () => {
      if (!document.hidden) await Promise.resolve(onChange('poll')).catch(() => {});
      schedule();
    }, streaming ? 30_000 : pollMs);
  };
  schedule();

  (async () => {
    while (!stopped) {
      try {
        const token = session.get() && session.get().accessToken;
        const res = await fetch('/notifications/stream', {
          headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
          signal: controller.signal,
        });
        if (!res.ok || !res.body) break; // 404: no stream on this server; polling it is.
        streaming = true;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let cut;
          while ((cut = buffer.indexOf('\n\n')) >= 0) {
            const message = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            if (message.split('\n').some((line) => line.startsWith('data:'))) onChange('stream');
          }
        }
      } catch {
        // Aborted or dropped: polling continues; try the stream again shortly.
      }
      streaming = false;
      if (!stopped) await new Promise((r) => setTimeout(r, 5000));
    }
  })();

  return () => {
    stopped = true;
    clearTimeout(timer);
    controller.abort();
  };
}
