export { toExpress } from './adapters/express';
