import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Aiu } from '../createAiu';
import { handleNodeRequest } from './node';

/** The parts of Express's req/res we use, so users need no @types/express from us. */
interface ExpressLikeRequest extends IncomingMessage {
  /** Path relative to the mount point (`app.use('/api/aiu', …)` strips the prefix). */
  path?: string;
  body?: unknown;
  /** Set by body-parser once it consumed the stream. */
  _body?: boolean;
}

type Next = (error?: unknown) => void;

/**
 * `app.use('/api/aiu', toExpress(aiu))` — works under any mount path, and after
 * `express.json()` (or any body parser) already read the body.
 */
export function toExpress(aiu: Aiu) {
  return function aiuExpress(req: ExpressLikeRequest, res: ServerResponse, next: Next): void {
    const path = req.path ?? new URL(req.url ?? '/', 'http://localhost').pathname;
    const consumed = req._body === true || req.readableEnded;
    handleNodeRequest(aiu, req, res, {
      path,
      ...(consumed && req.body !== undefined ? { parsedBody: req.body } : {}),
    }).catch(next);
  };
}
