// The one error type the domain throws: it carries AWS's own error code, so every renderer
// (EC2 XML, ELBv2 XML, the CLI) can say exactly what AWS would.

export class AwsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number = 400,
  ) {
    super(message);
    this.name = "AwsError";
  }
}

export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}
