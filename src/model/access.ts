// The resources that carry access policies besides VPC endpoints: S3 buckets, DynamoDB tables,
// and IAM users, roles and managed policies. Plain data; control/ validates and mutates them,
// analysis/ evaluates their policies on a trace's path.

/**
 * An S3 bucket. Bucket names are global across accounts and Regions, so the id is the name.
 * `policy` is the bucket policy exactly as PutBucketPolicy received it (GetBucketPolicy returns it so).
 */
export interface Bucket {
  id: string;
  name: string;
  ownerId: string;
  region: string;
  creationDate: string;
  policy?: string;
}

/** A DynamoDB table. The id is its ARN (arn:aws:dynamodb:REGION:ACCOUNT:table/NAME). */
export interface Table {
  id: string;
  arn: string;
  name: string;
  tableId: string;
  ownerId: string;
  region: string;
  creationDateTime: string;
  status: "ACTIVE";
  keySchema: { attributeName: string; keyType: "HASH" | "RANGE" }[];
  attributeDefinitions: { attributeName: string; attributeType: "S" | "N" | "B" }[];
  billingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  provisionedThroughput?: { readCapacityUnits: number; writeCapacityUnits: number };
  /** The resource-based policy (PutResourcePolicy) and its revision id. */
  resourcePolicy?: { document: string; revisionId: string };
}

/** An inline policy of a user or role: its name and document text (as given, unencoded). */
export interface InlinePolicy { name: string; document: string }

/** Fields IAM users and roles share. IAM is global: no Region. The id is the ARN. */
export interface IamIdentity {
  id: string;
  arn: string;
  ownerId: string;
  /** AIDA... for users, AROA... for roles: aws:userid is built from it. */
  uniqueId: string;
  name: string;
  path: string;
  createDate: string;
  inlinePolicies: InlinePolicy[];
  /** ARNs of attached managed policies (customer managed ones live in iamPolicies). */
  attachedPolicyArns: string[];
  permissionsBoundaryArn?: string;
  tags: { key: string; value: string }[];
}

export type IamUser = IamIdentity & { kind: "user" };

export interface IamRole extends IamIdentity {
  kind: "role";
  /** The trust policy (AssumeRolePolicyDocument), as given. */
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
}

/** A customer managed policy. The id is its ARN (arn:aws:iam::ACCOUNT:policy/PATHNAME). */
export interface IamPolicy {
  id: string;
  arn: string;
  ownerId: string;
  /** ANPA... */
  policyId: string;
  name: string;
  path: string;
  description?: string;
  createDate: string;
  updateDate: string;
  defaultVersionId: string;
  versions: { versionId: string; document: string; createDate: string }[];
  tags: { key: string; value: string }[];
}
