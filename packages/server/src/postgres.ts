export { postgresStore, type PostgresStoreOptions } from './stores/postgres';
