export { toNextHandler, type NextRouteContext, type NextRouteHandler } from './adapters/next';
