export { handleNodeRequest, toNodeListener, type NodeBridgeOptions } from './adapters/node';
