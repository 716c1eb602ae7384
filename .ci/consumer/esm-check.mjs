// Every entry point resolves from an ES module, with named exports.
import { AiPlatform, GpuCluster, DataLake, AiMonitoring, InferenceService } from 'cdk-ai-platform';
import { snapshotStacks, snapshotTemplate } from 'cdk-ai-platform/testing';
import * as serializer from 'cdk-ai-platform/testing/asset-hash-serializer';
import { AiPlatformChecks } from 'cdk-ai-platform/nag';

const missing = Object.entries({
  AiPlatform,
  GpuCluster,
  DataLake,
  AiMonitoring,
  InferenceService,
  snapshotStacks,
  snapshotTemplate,
  AiPlatformChecks,
  test: serializer.test,
  serialize: serializer.serialize,
})
  .filter(([, v]) => typeof v !== 'function')
  .map(([k]) => k);
if (missing.length > 0) {
  console.error(`ESM: missing exports ${missing.join(', ')}`);
  process.exit(1);
}
console.log('ESM: every entry point resolves');
