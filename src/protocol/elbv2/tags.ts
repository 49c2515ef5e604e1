// ELBv2 tags on the wire: AddTags, RemoveTags, DescribeTags.
import { addTags, describeTags, removeTags } from "../../control/elbv2Tags.js";
import { type ActionTable, as } from "../actions.js";

export const TAG_ACTIONS: ActionTable = {
  AddTags: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ resourceArns: string[]; tags: { key?: string; value?: string }[] }>(input);
      addTags(ctx, i.resourceArns, i.tags);
      return {};
    },
  },
  RemoveTags: {
    mutates: true,
    run: (ctx, input) => {
      const i = as<{ resourceArns: string[]; tagKeys: string[] }>(input);
      removeTags(ctx, i.resourceArns, i.tagKeys);
      return {};
    },
  },
  DescribeTags: {
    mutates: false,
    run: (ctx, input) => ({ tagDescriptions: describeTags(ctx, as<{ resourceArns: string[] }>(input).resourceArns) }),
  },
};
