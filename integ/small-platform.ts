// A small platform with @aws-cdk/integ-tests-alpha assertions: the cluster and the GPU pool (scaling from zero)
// ACTIVE, the data lake's zone bucket in place and versioned. Each assertion fails the deployment when it is not met
// (integ-tests-alpha lambda-handler/index.js: an assertion or a waiter's timeout responds FAILED).
//   npm run integ          synthesize it and compare with the committed snapshot (offline: no account)
//   npm run integ:deploy   deploy it to the account of the current AWS credentials, then destroy it
import { App, Duration, type AppProps } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { AiPlatform, DataRemovalPolicy, EndpointAccess, type AiPlatformDefinition } from '../lib';
import { ALLOW_DATA_DELETION_CONTEXT } from '../lib/data-lake/data-lake';
import cdkJson from '../cdk.json';

const definition: AiPlatformDefinition = {
  name: 'integ-ml',
  network: { maxAzs: 2, natGateways: 1 },
  // The assertions call the EKS API, not the Kubernetes API: no public endpoint needed.
  cluster: { endpointAccess: EndpointAccess.PRIVATE },
  nodePools: [{ name: 'gpu', instanceTypes: ['g6.xlarge'], minNodes: 0, maxNodes: 1 }],
  // A sandbox test leaves nothing behind: the lake's buckets and key go with the stack (the two switches).
  dataLake: { zones: ['raw'], removalPolicy: DataRemovalPolicy.DESTROY },
};

/** The integ app (integ/integ.small-platform.ts runs it; the snapshot test synthesizes it into a directory). */
export function smallPlatformApp(props: AppProps = {}): App {
  const app = new App({
    ...props,
    // The library's own feature flags (cdk.json), as a user's app has them; no stack traces in the snapshot.
    context: { ...cdkJson.context, [ALLOW_DATA_DELETION_CONTEXT]: true, ...props.context },
    stackTraces: false,
  });
  const platform = new AiPlatform(app, 'AiPlatform', { definition });

  const integ = new IntegTest(app, 'SmallPlatform', {
    testCases: [platform.dataStack, platform.platformStack, platform.monitoringStack, ...platform.shardStacks],
    // No update workflow (deploying the previous snapshot first), so no assets (the 36 MB kubectl layer among them)
    // belong in the snapshot (integ-runner runner-base.js removeAssetsFromSnapshot drops them on the same condition).
    stackUpdateWorkflow: false,
  });

  const waitUpTo = (minutes: number) => ({ totalTimeout: Duration.minutes(minutes), interval: Duration.seconds(30) });

  integ.assertions
    .awsApiCall('EKS', 'describeCluster', { name: platform.cluster.clusterName })
    .expect(ExpectedResult.objectLike({ cluster: { status: 'ACTIVE' } }))
    .waitForAssertions(waitUpTo(30));

  for (const pool of Object.values(platform.nodePools))
    integ.assertions
      .awsApiCall('EKS', 'describeNodegroup', {
        clusterName: platform.cluster.clusterName,
        nodegroupName: pool.nodegroupName,
      })
      .expect(ExpectedResult.objectLike({ nodegroup: { status: 'ACTIVE', scalingConfig: { minSize: 0 } } }))
      .waitForAssertions(waitUpTo(20));

  integ.assertions
    .awsApiCall('S3', 'getBucketVersioning', { Bucket: platform.dataLake.zone('raw').bucketName })
    .expect(ExpectedResult.objectLike({ Status: 'Enabled' }))
    .waitForAssertions(waitUpTo(5));
  return app;
}
