/** Formats an ISO instant as local `YYYY-MM-DD HH:MM:SS.mmm` (the stream shows received times to the millisecond). */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (value: number, width = 2): string => String(value).padStart(width, '0');
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
  );
}

/** True when the key event was typed into a form field (shortcuts must not steal those keys). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

/** Formats an ISO instant as local `HH:MM:SS.mmm`, prefixed with `MM-DD` when it is not on the same day as `nowMs`. */
export function formatShort(iso: string, nowMs: number): string {
  const full = formatInstant(iso);
  if (full.length <= 11) return full;
  const sameDay = formatInstant(new Date(nowMs).toISOString()).slice(0, 10) === full.slice(0, 10);
  return sameDay ? full.slice(11) : `${full.slice(5, 10)} ${full.slice(11)}`;
}
