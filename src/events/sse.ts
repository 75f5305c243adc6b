/**
 * One Server-Sent Events message. `data` must be a single line (JSON is); `event` defaults to the
 * stream's unnamed `message` type, which `EventSource.onmessage` receives.
 *
 * @example
 * ```ts
 * sseEvent('3f2a9c1b-7', '{"id":"A1"}'); // 'id: 3f2a9c1b-7\ndata: {"id":"A1"}\n\n'
 * ```
 */
export function sseEvent(id: string, data: string, event?: string): string {
  return `${event ? `event: ${event}\n` : ''}id: ${id}\ndata: ${data}\n\n`;
}

/**
 * An SSE comment line: clients ignore it, proxies see traffic.
 *
 * @example
 * ```ts
 * sseComment('heartbeat'); // ': heartbeat\n\n'
 * ```
 */
export function sseComment(text: string): string {
  return `: ${text}\n\n`;
}
