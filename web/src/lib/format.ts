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

/** Formats an ISO instant as local `HH:MM:SS.mmm`, for dense lists. */
export function formatTime(iso: string): string {
  const full = formatInstant(iso);
  return full.length > 11 ? full.slice(11) : full;
}

/** True when the key event was typed into a form field (shortcuts must not steal those keys). */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}
