import { attachCustomSynthesis } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Top-level folders already emptied in each synthesis (keyed by its assembly builder). */
const CLEANED = new WeakMap<object, Set<string>>();

/**
 * A file written into the cloud assembly (`cdk.out/<path>`) when the app is synthesized. The content is
 * produced then, once the construct tree is complete. The file's top-level folder (`plan/`, `k8s/`) is
 * emptied once per synthesis first, so a synth into the same `cdk.out` never keeps another definition's files.
 */
export class AssemblyFile extends Construct {
  constructor(scope: Construct, id: string, path: () => string, content: () => string) {
    super(scope, id);
    attachCustomSynthesis(this, {
      onSynthesize: (session) => {
        const relative = path();
        const top = relative.split(/[\\/]/)[0];
        const cleaned = CLEANED.get(session.assembly) ?? new Set<string>();
        CLEANED.set(session.assembly, cleaned);
        if (relative.includes('/') && !cleaned.has(top)) {
          rmSync(join(session.outdir, top), { recursive: true, force: true });
          cleaned.add(top);
        }
        const file = join(session.outdir, relative);
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content());
      },
    });
  }
}
