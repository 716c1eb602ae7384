import { attachCustomSynthesis } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * A file written into the cloud assembly (`cdk.out/<path>`) when the app is synthesized. The content is
 * produced then, once the construct tree is complete.
 */
export class AssemblyFile extends Construct {
  constructor(scope: Construct, id: string, path: () => string, content: () => string) {
    super(scope, id);
    attachCustomSynthesis(this, {
      onSynthesize: (session) => {
        const file = join(session.outdir, path());
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content());
      },
    });
  }
}
