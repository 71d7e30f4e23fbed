let lastTime = 0;
let sequence = 0;
// Random bytes drawn 1.5 kB at a time: one call into the CSPRNG per 256 ids instead of per id.
const POOL_SIZE = 6 * 256;
let pool = new Uint8Array(0);
let offset = POOL_SIZE;

function randomBytes6(): Uint8Array {
  if (offset >= pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    offset = 0;
  }
  offset += 6;
  return pool.subarray(offset - 6, offset);
}

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
  const random = randomBytes6();
  let hex = '';
  for (const byte of random) hex += byte.toString(16).padStart(2, '0');
  return `req_${now.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(3, '0')}${hex}`;
}
