export { toNextHandler } from './adapters/next';
