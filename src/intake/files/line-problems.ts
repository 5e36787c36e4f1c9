/** Why a line is skipped before its fields are read: the reasons both file readers share. */

/** "1 MiB", "64 KiB", "100 bytes": limits in messages, the way they were configured. */
export function formatByteSize(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes / (1 << 10)} KiB`;
  return `${bytes} bytes`;
}

export function lineTooLong(maxLineBytes: number): string {
  return `longer than ${formatByteSize(maxLineBytes)} — one lead per line; check for a missing line break`;
}

export const NOT_UTF8 = "not valid UTF-8 — save the file as UTF-8";
