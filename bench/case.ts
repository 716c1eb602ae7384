/** One benchmark case in its own process: prints {"ms", "peakRssMiB"} as the last line. */
import { performance } from 'node:perf_hooks';
import { resourceUsage } from 'node:process';

const [mode, which, validate, outdir] = process.argv.slice(2);
const start = performance.now();
const cdk = require('aws-cdk-lib');
const lib = require('../lib');
require('../examples/reference-platform');

if (mode === 'synth') {
  const app = new cdk.App({
    outdir,
    builtinCloudFormationValidation: validate === '1',
    context: require('../cdk.json').context,
  });
  const definition =
    which === 'reference' ? require('../examples/reference-platform').referencePlatform : generated(Number(which));
  new lib.AiPlatform(app, 'AiPlatform', { definition });
  app.synth();
}
const ms = performance.now() - start;
console.log(JSON.stringify({ ms, peakRssMiB: resourceUsage().maxRSS / 1024 }));

/** A valid definition with n pools cycling through accelerator families and options. */
function generated(n: number) {
  const types = [['g6e.xlarge'], ['g5.2xlarge'], ['p5.48xlarge'], ['inf2.xlarge'], ['g6.12xlarge'], ['trn1.32xlarge']];
  return {
    name: 'bench-ml',
    nodePools: Array.from({ length: n }, (_, i) => ({
      name: `pool-${i}`,
      instanceTypes: types[i % types.length],
      maxNodes: 4,
      capacityType: i % 3 === 0 ? 'spot' : 'on-demand',
      efa: types[i % types.length][0] === 'p5.48xlarge',
    })),
  };
}
