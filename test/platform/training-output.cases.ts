import { referenceWith, resourcesOf, synthPlatform } from '../helpers';

// A training job's output: its role may write exactly `<path>/*` of the zone's bucket (and list only under it), with
// the lake key through S3 only; nothing else of the lake unless its dataAccess asks.
const { template } = synthPlatform(
  referenceWith((d) => {
    d.training[0].dataAccess = [];
    d.training[0].output = { zone: 'models', path: 'llama-3-8b' };
  }),
);

/** Statements of the policies attached to the job's role (DataAccess-pretrain), the bucket and key references as text. */
function jobStatements(t = template): any[] {
  return resourcesOf(t, 'AWS::IAM::Policy')
    .filter(([id]) => id.includes('DataAccesspretrain'))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

/** Problems of the job's grants: any S3 object action outside the prefix, any listing not bound to it. */
function outputGrantProblems(statements: any[]): string[] {
  const out: string[] = [];
  for (const s of statements) {
    const actions = [s.Action].flat();
    const resources = [s.Resource].flat().map((r: unknown) => JSON.stringify(r));
    if (actions.some((a: string) => a.startsWith('s3:') && a !== 's3:ListBucket'))
      for (const r of resources) if (!r.includes('/llama-3-8b/*')) out.push(`${actions.join(',')} on ${r}`);
    if (
      actions.includes('s3:ListBucket') &&
      JSON.stringify(s.Condition) !== JSON.stringify({ StringLike: { 's3:prefix': ['llama-3-8b/', 'llama-3-8b/*'] } })
    )
      out.push(`s3:ListBucket without the prefix condition`);
    if (actions.some((a: string) => a.startsWith('kms:')) && !s.Condition?.StringEquals?.['kms:ViaService'])
      out.push(`${actions.join(',')} not through S3`);
  }
  return out;
}

test("a job's output: write on exactly its prefix, list under it, the key through S3", () => {
  const statements = jobStatements();
  expect(statements.map((s) => [s.Action].flat()).flat()).toEqual(
    expect.arrayContaining(['s3:PutObject', 's3:ListBucket', 'kms:GenerateDataKey']),
  );
  expect(outputGrantProblems(statements)).toEqual([]);
  // The check fails on broken grants: the whole bucket (what a read-write dataAccess entry gives), an unbounded listing.
  const broken = JSON.parse(JSON.stringify(statements));
  const put = broken.find((x: any) => [x.Action].flat().includes('s3:PutObject'));
  put.Resource = [put.Resource].flat().map((r: any) => JSON.parse(JSON.stringify(r).replace('/llama-3-8b/*', '/*')));
  delete broken.find((x: any) => [x.Action].flat().includes('s3:ListBucket')).Condition;
  expect(outputGrantProblems(broken)).toEqual([
    expect.stringContaining('s3:PutObject'),
    's3:ListBucket without the prefix condition',
  ]);
});
