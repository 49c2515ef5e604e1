// The AWS service models vpclab speaks, as data: shapes (names, types, wire names, list
// wrappers, required members) extracted from botocore by tools/extract-shapes.py. The query
// parser and the XML writer walk these, so no action has a hand-written template.
import ec2 from "./models/ec2.json" with { type: "json" };
import elbv2 from "./models/elbv2.json" with { type: "json" };
import sts from "./models/sts.json" with { type: "json" };
import iam from "./models/iam.json" with { type: "json" };

export interface MemberRef { shape: string; locationName?: string; queryName?: string; flattened?: boolean }

export interface Shape {
  type: "structure" | "list" | "map" | "string" | "integer" | "long" | "boolean" | "timestamp" | "double" | "float" | "blob";
  members?: Record<string, MemberRef>;
  member?: MemberRef;
  key?: MemberRef;
  value?: MemberRef;
  required?: string[];
  enum?: string[];
  flattened?: boolean;
  min?: number;
  max?: number;
}

export type Protocol = "ec2" | "query";

export interface ServiceModel {
  metadata: { apiVersion: string; protocol: Protocol; xmlNamespace?: string; signingName?: string; endpointPrefix: string };
  allOperations: string[];
  operations: Record<string, { input?: { shape: string }; output?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

export const MODELS = {
  ec2: ec2 as unknown as ServiceModel,
  elbv2: elbv2 as unknown as ServiceModel,
  sts: sts as unknown as ServiceModel,
  iam: iam as unknown as ServiceModel,
};
export type ServiceName = keyof typeof MODELS;

const KNOWN = new Map(Object.values(MODELS).map((m) => [m, new Set(m.allOperations)]));

/** Whether the service has this operation at all (implemented by vpclab or not). */
export function hasOperation(model: ServiceModel, name: string): boolean {
  return KNOWN.get(model)?.has(name) ?? false;
}

export function shapeOf(model: ServiceModel, name: string): Shape {
  const shape = model.shapes[name];
  if (!shape) throw new Error(`shape ${name} is not in the ${model.metadata.endpointPrefix} model: run tools/extract-shapes.py`);
  return shape;
}

/** Inputs and outputs are plain objects keyed by the model's member names with the first letter lowercased. */
export function fieldName(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}
