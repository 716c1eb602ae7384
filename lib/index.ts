// Public API. Exports only.
export * from './ai-platform';
export * from './definition/types';
export * from './definition/problems';
export type * from './definition/resolved';
export { resolveDefinition, validateDefinition } from './definition/resolve';
export { loadDefinitionFile } from './definition/load';
export { DEFAULTS } from './definition/defaults';
export * from './catalog/accelerators';
export * from './catalog/ami';
export * from './catalog/versions';
export * from './network/platform-network';
export * from './cluster/gpu-cluster';
export * from './cluster/pod-identity-role';
export * from './compute/gpu-node-pool';
export * from './compute/labels';
