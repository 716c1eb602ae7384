// npm test runs the domain suites in two groups (this file and two.group.ts) plus the example suite, one per
// worker: each group loads the library and warms its synthesis once, where 20 files did it 20 times (most of
// npm test's time on 2 cores). `npx jest test/<domain>` still runs one domain's suite alone.
import '../platform/ai-platform.test';
import '../workloads/inference-service.test';
import '../autoscaling/autoscaling.test';
import '../compute/gpu-node-pool.test';
import '../nag/nag.test';
import '../app/app.test';
import '../contracts/template-contracts.test';
import '../plan/plan.test';
import '../standalone/standalone-constructs.test';
import '../cluster/gpu-cluster.test';
import '../network/platform-network.test';
import '../catalog/catalog.test';
import '../delivery/platform-pipeline.test';
