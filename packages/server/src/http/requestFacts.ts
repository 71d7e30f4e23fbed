import { Abort } from '../util/abort';
import { NodeRequest } from './nodeRequest';

/** What the transport knows about a request that a Web `Request` cannot say (`aiu.handler(request, connection)`). */
export interface ConnectionInfo {
  /** The peer's own address from the socket — never a forwarded header. Key routes trust loopback by default. */
  clientAddress?: string;
}

/** What aborts the work done for a request: the Node bridge's own Abort, or one that follows the request's signal. */
export function abortOf(request: Request): Abort {
  return NodeRequest.abortOf(request) ?? Abort.from(request.signal);
}

export function clientAddressOf(request: Request, connection: ConnectionInfo | undefined): string | undefined {
  return connection?.clientAddress ?? NodeRequest.clientAddressOf(request);
}
