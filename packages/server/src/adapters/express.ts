import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Aiu } from '../createAiu';
import { handleNodeRequest } from './node';

/** The parts of Express's req/res we use, so users need no @types/express from us. */
interface ExpressLikeRequest extends IncomingMessage {
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
    // Inside `app.use(mount, …)` Express has already made `req.url` relative to the mount point;
    // cutting its query is all `req.path` does, through a parse per request.
    const url = req.url ?? '/';
    const query = url.indexOf('?');
    const path = query < 0 ? url : url.slice(0, query);
    const consumed = req._body === true || req.readableEnded;
    handleNodeRequest(aiu, req, res, {
      path,
      ...(consumed && req.body !== undefined ? { parsedBody: req.body } : {}),
    }).catch(next);
  };
}
