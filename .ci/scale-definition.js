// Writes the scale definition CI synthesizes and lints: 100 node pools, 100 inference services, 20 teams
// (issue 13's scale goal). Usage: node .ci/scale-definition.js > scale.json
const types = [['g6e.xlarge'], ['g5.2xlarge'], ['g6.xlarge', 'g6.2xlarge'], ['inf2.xlarge'], ['g6.12xlarge']];
const definition = {
  name: 'scale-ml',
  cluster: { endpointAccess: 'private' },
  nodePools: Array.from({ length: 100 }, (_, i) => ({
    name: `pool-${i}`,
    instanceTypes: types[i % types.length],
    maxNodes: 20,
    capacityType: i % 2 ? 'spot' : 'on-demand',
  })),
  teams: Array.from({ length: 20 }, (_, i) => ({ name: `team-${i}`, gpuQuota: 400, neuronQuota: 400 })),
  inference: Array.from({ length: 100 }, (_, i) => ({
    name: `svc-${i}`,
    image: 'vllm/vllm-openai:v0.11.0',
    nodePool: `pool-${i}`,
    team: `team-${i % 20}`,
    maxReplicas: 2,
    dataAccess: i % 3 === 0 ? [{ zone: 'models', access: 'read' }] : [],
  })),
};
process.stdout.write(`${JSON.stringify(definition, null, 1)}\n`);
