export { redisState, type RedisStateOptions } from './limits/redisState';
