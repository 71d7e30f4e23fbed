let lastTime = 0;
let sequence = 0;

/**
 * Request ids sort by creation time (base36 milliseconds + a sequence), then random,
 * so (time, id) pagination and log order agree. WebCrypto keeps it edge-compatible.
 */
export function newRequestId(now = Date.now()): string {
  if (now === lastTime) sequence += 1;
  else {
    lastTime = now;
    sequence = 0;
  }
  const random = crypto.getRandomValues(new Uint8Array(6));
  let hex = '';
  for (const byte of random) hex += byte.toString(16).padStart(2, '0');
  return `req_${now.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(3, '0')}${hex}`;
}
