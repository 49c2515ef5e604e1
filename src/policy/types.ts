// The contract of vpclab's IAM policy engine: what a parsed policy, a request and a decision
// are. parse.ts validates and compiles a document; evaluate.ts decides one policy for one
// request; authorize.ts combines the policies on a request's path as AWS does. Pure: no world,
// no I/O, so the same engine serves the API's validation, trace and the benchmark.

/** Where a policy is attached: it decides which elements are required or refused. */
export type PolicyKind =
  /** An IAM user/role inline or managed policy: no Principal / NotPrincipal. */
  | "identity"
  /** A bucket policy or a DynamoDB resource policy: Principal or NotPrincipal required. */
  | "resource"
  /** A VPC endpoint policy: Principal required ("*" or principals); gateway endpoints accept only "*". */
  | "endpoint"
  /** A role's trust policy (AssumeRolePolicyDocument). */
  | "trust";

/** Thrown by parsePolicy with a message a user can act on; each owning API maps it to its own code. */
export class PolicySyntaxError extends Error {
  override readonly name = "PolicySyntaxError";
}

/** A value of a request context key: condition keys may be single- or multi-valued. */
export type ContextValue = string | readonly string[];

/** Who makes a request. */
export interface RequestPrincipal {
  /**
   * The principal's ARN as a resource policy's Principal names it: arn:aws:iam::ACCT:user/NAME,
   * arn:aws:iam::ACCT:role/NAME (for a role session, the role), arn:aws:iam::ACCT:root, or
   * "anonymous" for an unsigned request.
   */
  arn: string;
  account: string;
  /** For a role session: arn:aws:sts::ACCT:assumed-role/NAME/SESSION (also matched by Principal). */
  sessionArn?: string;
  /** A service principal (s3.amazonaws.com ...), when the caller is a service. */
  service?: string;
}

/** One request as policies see it. Keys are matched case-insensitively, as AWS does. */
export interface RequestContext {
  principal: RequestPrincipal;
  /** "service:Operation", for example s3:GetObject. */
  action: string;
  /** The resource's ARN, for example arn:aws:s3:::reports/2026/q3.csv. */
  resource: string;
  /** Condition keys and their values (aws:SourceVpce, aws:PrincipalArn, s3:prefix, ...). Absent keys are absent. */
  context: Readonly<Record<string, ContextValue>>;
}

/** A parsed, validated and compiled policy. Parse once, evaluate many times. */
export interface Policy {
  readonly kind: PolicyKind;
  readonly version: "2012-10-17" | "2008-10-17";
  readonly statements: readonly CompiledStatement[];
}

/** Opaque to callers beyond what explanations need. */
export interface CompiledStatement {
  readonly index: number;
  readonly sid?: string;
  readonly effect: "Allow" | "Deny";
}

/** How one condition fared: the operator, the key, the policy's values and what the request had. */
export interface ConditionExplain {
  operator: string;
  key: string;
  values: string[];
  /** The request's value(s) for the key; undefined when the key was absent. */
  actual: string[] | undefined;
  matched: boolean;
}

/** How one statement fared against a request. */
export interface StatementExplain {
  index: number;
  sid?: string;
  effect: "Allow" | "Deny";
  /** Each element that applies to the statement: true when the request matched it. */
  action: boolean;
  resource: boolean;
  /** Undefined for identity policies, which have no Principal. */
  principal?: boolean;
  conditions: ConditionExplain[];
  /** Every element (and all conditions) matched: the statement applies to the request. */
  applies: boolean;
}

/**
 * One policy's answer. "Deny": an applicable Deny statement; "Allow": an applicable Allow and
 * no applicable Deny; "NoMatch": no statement applies (an implicit deny).
 */
export interface PolicyResult {
  decision: "Allow" | "Deny" | "NoMatch";
  /** The statement that decided (the first applicable Deny, else the first applicable Allow). */
  statement?: { index: number; sid?: string };
  /** Per-statement detail, when evaluate was asked to explain. */
  explain?: StatementExplain[];
}

/** A named policy on a request's path, for authorize(). */
export interface PathPolicy {
  /** Where it lives, for messages: "bucket policy of reports", "endpoint policy of vpce-...", "inline policy app-s3 of role app". */
  name: string;
  /** The resource holding it (a bucket name, an endpoint id, a role ARN). */
  holder: string;
  policy: Policy;
}

export interface AuthorizationInput {
  request: RequestContext;
  /** The principal's identity policies (inline and attached). Ignored for the account root and anonymous callers. */
  identity: PathPolicy[];
  /** The resource's policy, if it has one. */
  resource?: PathPolicy;
  /** The account that owns the resource (a cross-account request needs both identity and resource allow). */
  resourceAccount: string;
  /** The endpoint policy, when the request goes through an endpoint whose service supports them. */
  endpoint?: PathPolicy;
}

export type BlockReason =
  | "EXPLICIT_DENY"
  /** No identity policy allows (and, same-account, no resource policy allows the principal itself). */
  | "IDENTITY_NO_ALLOW"
  /** Cross-account: the resource policy does not allow the caller. */
  | "RESOURCE_NO_ALLOW"
  /** Through an endpoint: the endpoint policy does not allow. */
  | "ENDPOINT_NO_ALLOW";

export interface AuthorizationStep {
  kind: "identity" | "resource" | "endpoint";
  policy: PathPolicy;
  result: PolicyResult;
}

export interface Authorization {
  allowed: boolean;
  /** Every policy evaluated, in the order AWS's logic considers them. */
  steps: AuthorizationStep[];
  /** Every reason the request is denied (all of them, not just the first), with the policy that caused it. */
  blockedBy: { reason: BlockReason; kind: "identity" | "resource" | "endpoint"; policy?: PathPolicy; statement?: { index: number; sid?: string } }[];
}
