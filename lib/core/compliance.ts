/** A set of organizational controls the platform's templates are built to pass. */
export enum Compliance {
  /** The library's defaults: secure, and nothing that costs money or changes behaviour for a control's sake. */
  STANDARD = 'standard',
  /**
   * AWS Control Tower's proactive controls (the cfn-guard rules CloudFormation hooks run at deploy): every
   * template passes them; the README's "AWS Control Tower" table lists what each control costs or changes.
   * Choose it before the data lake's first deploy: S3 Object Lock can only be set on a new bucket.
   */
  CONTROL_TOWER = 'control-tower',
}
